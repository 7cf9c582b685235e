package com.elcanotek.victoria.runner.task;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.elcanotek.victoria.runner.driver.DriverUnavailable;
import com.elcanotek.victoria.runner.driver.Exit;
import com.elcanotek.victoria.runner.driver.Instance;
import com.elcanotek.victoria.runner.driver.InstanceGone;
import com.elcanotek.victoria.runner.driver.Launch;
import com.elcanotek.victoria.runner.driver.Output;
import com.elcanotek.victoria.runner.driver.TaskDriver;

/**
 * A task driver in memory, for the task code's tests: instances are started, exit when the test says so (or when
 * stopped), and the driver can be made to fail starts, to stop answering, or to ignore stops, as a broken engine
 * would. Every call is recorded. Thread-safe.
 */
final class FakeDriver implements TaskDriver {

    /** A SIGTERM the agent obeys. */
    static final int STOPPED = 143;

    final List<Launch> launches = Collections.synchronizedList(new ArrayList<>());
    final List<String> stops = Collections.synchronizedList(new ArrayList<>());
    final List<String> removals = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, FakeInstance> instances = new ConcurrentHashMap<>();
    private final AtomicInteger started = new AtomicInteger();
    /** Thrown by the next starts, as long as it is set. */
    volatile Supplier<RuntimeException> startFails;
    /** Every call but the recording ones throws DriverUnavailable: the engine does not answer. */
    volatile boolean unavailable;
    /** Stops are taken but the agent goes on running: only a remove ends it. */
    volatile boolean ignoresStops;

    private static final class FakeInstance {
        final String handle;
        final String taskId;
        final Instant startedAt = Instant.now();
        final CompletableFuture<Exit> exit = new CompletableFuture<>();
        final StringBuffer output = new StringBuffer();
        volatile boolean removed;

        FakeInstance(String handle, String taskId) {
            this.handle = handle;
            this.taskId = taskId;
        }

        Instance view() {
            Exit done = exit.getNow(null);
            return done == null ? new Instance(handle, handle, taskId, Instance.State.RUNNING, null, startedAt, null)
                    : new Instance(handle, handle, taskId, Instance.State.EXITED, done.code(), startedAt, done.finishedAt());
        }
    }

    @Override
    public String start(Launch launch) {
        answer();
        launches.add(launch);
        Supplier<RuntimeException> failure = startFails;
        if (failure != null) {
            throw failure.get();
        }
        String handle = "c" + started.incrementAndGet() + "-" + launch.task().shortId();
        instances.put(handle, new FakeInstance(handle, launch.task().taskId()));
        return handle;
    }

    /** An instance the test puts there, as a runner that died left it. */
    String adopt(String taskId) {
        String handle = "c" + started.incrementAndGet() + "-left";
        instances.put(handle, new FakeInstance(handle, taskId));
        return handle;
    }

    @Override
    public Exit awaitExit(String handle) throws InterruptedException {
        answer();
        FakeInstance instance = instances.get(handle);
        if (instance == null) {
            throw new InstanceGone("no such container: " + handle);
        }
        try {
            return instance.exit.get();
        } catch (ExecutionException e) {
            throw new InstanceGone(e.getCause().getMessage());
        }
    }

    @Override
    public void stop(String handle) {
        answer();
        stops.add(handle);
        if (!ignoresStops) {
            exit(handle, STOPPED);
        }
    }

    /** What the engine would give: nothing once the instance is removed. */
    @Override
    public Output output(String handle, int maxBytes) {
        answer();
        FakeInstance instance = instances.get(handle);
        if (instance == null) {
            throw new DriverUnavailable("no such container: " + handle, null);
        }
        String text = instance.output.toString();
        return text.length() <= maxBytes ? new Output(text, true) : new Output(text.substring(text.length() - maxBytes), false);
    }

    /** The agent of {@code handle} prints {@code text}. */
    void print(String handle, String text) {
        instances.get(handle).output.append(text);
    }

    @Override
    public void remove(String handle) {
        answer();
        removals.add(handle);
        FakeInstance instance = instances.remove(handle);
        if (instance != null) {
            instance.removed = true;
            instance.exit.complete(new Exit(137, Instant.now(), null));
        }
    }

    @Override
    public Optional<Instance> find(String taskId) {
        answer();
        return instances.values().stream().filter(instance -> instance.taskId.equals(taskId)).findFirst()
                .map(FakeInstance::view);
    }

    @Override
    public List<Instance> all() {
        answer();
        return instances.values().stream().map(FakeInstance::view).toList();
    }

    @Override
    public Optional<String> image(String handle) {
        return Optional.of("sha256:" + "fa".repeat(32));
    }

    /** The agent of {@code handle} exits with {@code code}, now. */
    void exit(String handle, int code) {
        exit(handle, new Exit(code, Instant.now(), null));
    }

    void exit(String handle, Exit exit) {
        FakeInstance instance = instances.get(handle);
        if (instance != null) {
            instance.exit.complete(exit);
        }
    }

    /** The handle of the newest start of {@code taskId}. */
    String handleOf(String taskId) {
        return instances.values().stream().filter(instance -> instance.taskId.equals(taskId))
                .map(instance -> instance.handle).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no instance of " + taskId));
    }

    boolean exists(String handle) {
        return instances.containsKey(handle);
    }

    private void answer() {
        if (unavailable) {
            throw new DriverUnavailable("Cannot connect to the engine: the fake says so", null);
        }
    }
}
