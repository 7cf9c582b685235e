package com.elcanotek.victoria.runner.bench;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The runner's resident memory once a second, for its peak and its trend over a run. */
final class RssSampler implements AutoCloseable {

    record Sample(Instant at, double rssMb) {
    }

    private final long pid;
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "rss-sampler");
        thread.setDaemon(true);
        return thread;
    });

    RssSampler(long pid) {
        this.pid = pid;
        timer.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
    }

    private void sample() {
        try {
            samples.add(new Sample(Instant.now(), Proc.rssMb(pid)));
        } catch (UncheckedIOException e) {
            // The runner ended: nothing more to sample.
        }
    }

    double maxMb() {
        return samples.stream().mapToDouble(Sample::rssMb).max().orElseThrow();
    }

    /**
     * How much higher the mean RSS of the last quarter of {@code [from, to]} is than that of its first quarter, in
     * percent: a runner that keeps something per task grows run-long, while a warming JVM settles early.
     */
    double growthPercent(Instant from, Instant to) {
        long quarter = (to.toEpochMilli() - from.toEpochMilli()) / 4;
        double first = meanMb(from, from.plusMillis(quarter));
        double last = meanMb(to.minusMillis(quarter), to);
        return (last - first) / first * 100;
    }

    private double meanMb(Instant from, Instant to) {
        return samples.stream().filter(s -> !s.at().isBefore(from) && !s.at().isAfter(to)).mapToDouble(Sample::rssMb)
                .average().orElseThrow(() -> new IllegalStateException("no RSS sample between " + from + " and " + to));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
