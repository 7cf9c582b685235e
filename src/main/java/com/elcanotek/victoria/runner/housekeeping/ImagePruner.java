package com.elcanotek.victoria.runner.housekeeping;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.container.ContainerException;
import com.elcanotek.victoria.runner.container.ContainerRuntime;
import com.elcanotek.victoria.runner.container.ImageInfo;

/**
 * Removes old Victoria images: each new release pulled under the same tag leaves the previous one
 * behind, a few GB each. The newest {@value #KEEP} images of the configured image's repository stay
 * (the current one and one to fall back to), and so does the configured image itself, and one also tagged in
 * another repository; an image a container still uses is refused by the engine and kept. Run after each refresh that brought a new build
 * (container/ImageKeeper), daily by housekeeping, and by {@code cleanup}.
 */
public class ImagePruner implements Runnable {

    private static final Logger LOG = Logger.getLogger(ImagePruner.class);
    static final int KEEP = 2;

    private final ContainerRuntime runtime;
    private final Supplier<String> configuredImage;

    /** @param configuredImage the configured Victoria image, as a reload may change it; its repository's images are pruned */
    public ImagePruner(ContainerRuntime runtime, Supplier<String> configuredImage) {
        this.runtime = runtime;
        this.configuredImage = configuredImage;
    }

    /**
     * The images past the newest {@value #KEEP}, oldest last, without the configured one, nor one also tagged in another
     * repository (someone named it for a use of theirs).
     */
    public List<ImageInfo> candidates() {
        String image = configuredImage.get();
        String repository = ImageInfo.repositoryOf(image);
        List<ImageInfo> ours = runtime.images().stream().filter(i -> i.belongsTo(repository))
                .sorted(Comparator.comparing(ImageInfo::created).reversed()).toList();
        return ours.stream().skip(KEEP).filter(i -> !i.repoTags().contains(image) && !i.taggedOutside(repository)).toList();
    }

    /** {@link #prune} for the daemon: a failure is logged, never thrown. */
    @Override
    public void run() {
        try {
            prune(false);
        } catch (RuntimeException e) {
            LOG.warnf("Image pruning failed: %s", e.getMessage());
        }
    }

    /** @return the images removed (or, in a dry run, those that would be tried) */
    public List<ImageInfo> prune(boolean dryRun) {
        List<ImageInfo> candidates = candidates();
        if (dryRun) {
            return candidates;
        }
        List<ImageInfo> removed = new ArrayList<>();
        for (ImageInfo old : candidates) {
            try {
                runtime.removeImage(old.id());
                removed.add(old);
                LOG.infof("Removed old Victoria image %s %s", shortId(old), old.repoTags());
            } catch (ContainerException e) {
                LOG.infof("Kept old Victoria image %s: %s", shortId(old), e.getMessage());
            }
        }
        return removed;
    }

    public static String shortId(ImageInfo image) {
        String id = image.id().startsWith("sha256:") ? image.id().substring(7) : image.id();
        return id.substring(0, Math.min(12, id.length()));
    }
}
