package com.elcanotek.victoria.runner.container;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

/**
 * Keeps the configured image on this host and fresh: an engine pulls only what is missing, so without this a
 * runner that once pulled {@code :latest} would run that build for ever. A host without the image pulls it
 * first, showing the engine's progress in the log, and claims nothing meanwhile; after that a pull every
 * {@code refresh} brings new builds in the background, so that no task waits for one on its way to start, and a pull
 * that brought one is followed by {@code afterUpdate} (the old builds are pruned: each is a few GB). A pull that fails
 * keeps the image there is.
 */
public final class ImageKeeper implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ImageKeeper.class);

    private final ContainerRuntime runtime;
    private final ScheduledExecutorService executor;
    private volatile String image;
    private volatile Duration refresh;
    private ScheduledFuture<?> refreshing;
    /** True until the first look found the image or pulled it: no claim waits on a pull in its task's start. */
    private volatile boolean fetching = true;
    private final Runnable afterUpdate;

    /**
     * @param refresh  time between background pulls; zero: never
     * @param executor this object's own: a pull can take minutes, which nothing else should wait behind
     * @param afterUpdate run on {@code executor} after a refresh changed the image's id; never throws
     */
    public ImageKeeper(ContainerRuntime runtime, String image, Duration refresh, ScheduledExecutorService executor,
            Runnable afterUpdate) {
        this.runtime = runtime;
        this.image = image;
        this.refresh = refresh;
        this.executor = executor;
        this.afterUpdate = afterUpdate;
    }

    public synchronized void start() {
        executor.execute(this::firstLook);
        scheduleRefresh();
    }

    /**
     * A reload's image and refresh interval. Another image is looked for, and pulled when missing, as at start:
     * no claim waits on that pull in its task's start.
     */
    public synchronized void retarget(String newImage, Duration newRefresh) {
        boolean otherImage = !newImage.equals(image);
        image = newImage;
        if (otherImage) {
            fetching = true;
            executor.execute(this::firstLook);
        }
        if (otherImage || !newRefresh.equals(refresh)) {
            refresh = newRefresh;
            if (refreshing != null) {
                refreshing.cancel(false);
            }
            scheduleRefresh();
        }
    }

    private void scheduleRefresh() {
        refreshing = refresh.isZero() ? null
                : executor.scheduleWithFixedDelay(this::refresh, refresh.toMillis(), refresh.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Why no task may start now: the image is not here yet. */
    public Optional<String> notReadyBecause() {
        return fetching ? Optional.of("pulling image " + image) : Optional.empty();
    }

    private void firstLook() {
        String image = this.image;
        try {
            if (runtime.imageId(image).isPresent()) {
                return;
            }
            LOG.infof("The image %s is not on this host yet: pulling it; no task is claimed meanwhile", image);
            runtime.pull(image, line -> LOG.infof("pull %s: %s", image, line));
            LOG.infof("Image %s pulled (%s)", image, runtime.imageId(image).orElse("?"));
        } catch (RuntimeException e) {
            // A task's start pulls as well, and fails clearly if it cannot (which the host breaker counts).
            LOG.errorf("Cannot get the image %s: %s", image, e.getMessage());
        } finally {
            // A reload that named another image meanwhile has queued that image's first look: it ends the wait.
            if (image.equals(this.image)) {
                fetching = false;
            }
        }
    }

    private void refresh() {
        String image = this.image;
        try {
            Optional<String> before = runtime.imageId(image);
            runtime.pull(image, line -> LOG.debugf("pull %s: %s", image, line));
            Optional<String> after = runtime.imageId(image);
            if (after.equals(before)) {
                LOG.debugf("Image %s is up to date", image);
                return;
            }
            LOG.infof("Image %s updated (%s, was %s): the next tasks run on it", image, after.orElse("?"),
                    before.orElse("none"));
        } catch (RuntimeException e) {
            // Caught whatever it is: an exception would end the periodic refresh for good.
            LOG.warnf("Refreshing the image %s failed (%s); tasks go on with the image there is", image, e.getMessage());
            return;
        }
        afterUpdate.run();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
