package com.elcanotek.victoria.runner.fake;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * A stateful stand-in for the All-Time Quarterback orchestrator's node API (see PROTOCOL.md), quirks
 * included, listening on 127.0.0.1 over plain HTTP. Tests drive and inspect it through the admin methods,
 * which are thread-safe.
 */
public final class FakeOrchestrator implements AutoCloseable {

    private final NodeRegistry registry;
    private final TaskBoard board;
    private final Faults faults = new Faults();
    private final Hang hang = new Hang();
    private final FakeRouter router;
    private final Duration sweepInterval;
    private final SSLContext tls;
    private int port;
    private HttpServer server;
    private ExecutorService workers;
    private ScheduledExecutorService sweeper;

    private FakeOrchestrator(Builder builder) {
        this.registry = new NodeRegistry(builder.registrationDisabled ? null : builder.registrationToken,
                builder.keyGracePeriod, builder.registrationsPerMinute);
        this.board = new TaskBoard(builder.leaseDuration);
        this.router = new FakeRouter(registry, board, faults, hang, builder.orchestratorUrl, builder.logsLimitBytes);
        this.sweepInterval = builder.sweepInterval;
        this.tls = builder.tls;
        this.port = builder.port;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The development orchestrator (bench/demo.sh): {@code FakeOrchestrator PORT REGISTRATION_TOKEN [PROMPT...]}
     * creates a task per prompt, prints what happens to them and, once they are all final, the line
     * {@code all N task(s) final: S succeeded, F failed}; serves until killed. With the single prompt {@code -}
     * (deploy/systemd/check-under-systemd.sh) it instead queues a task for each line read from stdin, printing
     * {@code queued task ID}, and prints what happens to all of them until killed. PORT 0 picks a free port. The
     * system property {@code fake.lease} (ISO-8601, default PT5M) sets the lease: a host under software emulation
     * restarts the runner in minutes where a real one takes seconds.
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: FakeOrchestrator PORT REGISTRATION_TOKEN [PROMPT...|-]");
            System.exit(2);
        }
        FakeOrchestrator fake = builder().port(Integer.parseInt(args[0])).registrationToken(args[1])
                .leaseDuration(Duration.parse(System.getProperty("fake.lease", "PT5M"))).build().start();
        System.out.println("fake orchestrator listening on " + fake.url());
        if (args.length == 3 && args[2].equals("-")) {
            watchTasksFromStdin(fake);
        }
        List<String> taskIds = Arrays.stream(args).skip(2).map(fake::createTask).toList();
        if (!taskIds.isEmpty()) {
            List<TaskSnapshot> done = new TaskWatcher(fake, System.out).watchUntilFinal(taskIds);
            long succeeded = done.stream().filter(task -> task.state() == TaskState.SUCCESS).count();
            System.out.printf("all %d task(s) final: %d succeeded, %d failed%n", done.size(), succeeded,
                    done.size() - succeeded);
        }
        Thread.currentThread().join();
    }

    private static void watchTasksFromStdin(FakeOrchestrator fake) throws InterruptedException {
        List<String> taskIds = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String prompt = in.readLine(); prompt != null; prompt = in.readLine()) {
                    String id = fake.createTask(prompt);
                    taskIds.add(id);
                    System.out.println("queued task " + id);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "fake-orchestrator-stdin");
        reader.setDaemon(true);
        reader.start();
        TaskWatcher watcher = new TaskWatcher(fake, System.out);
        while (true) { // the watcher remembers what it printed: each round prints only what is new
            watcher.watchUntilFinal(List.copyOf(taskIds));
            Thread.sleep(100);
        }
    }

    /** Starts listening (and sweeping expired leases); returns this for chaining. */
    public synchronized FakeOrchestrator start() {
        if (server != null) {
            throw new IllegalStateException("already listening on " + url());
        }
        try {
            if (tls == null) {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            } else {
                HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", port), 0);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = https;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
        port = server.getAddress().getPort();
        // Unbounded: a hang holds a worker thread per request it holds, and a bounded pool it filled would queue
        // the requests that arrive after the hang, so that they too would wait for it.
        workers = Executors.newCachedThreadPool(daemonThreads("fake-orchestrator-http"));
        server.setExecutor(workers);
        server.createContext("/", router);
        server.start();
        sweeper = Executors.newSingleThreadScheduledExecutor(daemonThreads("fake-orchestrator-sweeper"));
        long millis = sweepInterval.toMillis();
        sweeper.scheduleAtFixedRate(board::sweep, millis, millis, TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Closes the listener and every connection: clients get "connection refused" until {@link #restart()}.
     * Sweeping stops too; leases are timestamps, so a restart's first sweep catches up. A hang ends here (its
     * held requests closed unprocessed), so a restart serves normally.
     */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        hang.release();
        server.stop(0);
        workers.shutdownNow();
        sweeper.shutdownNow();
        server = null;
    }

    /** Listens again on the same port, all state kept. */
    public synchronized void restart() {
        stop();
        start();
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * {@code http://127.0.0.1:PORT}, or {@code https://localhost:PORT} when serving TLS (the name its certificate
     * carries); known once started; stays the same across restarts.
     */
    public synchronized String url() {
        if (port == 0) {
            throw new IllegalStateException("not started yet");
        }
        return (tls == null ? "http://127.0.0.1:" : "https://localhost:") + port;
    }

    public synchronized int port() {
        if (port == 0) {
            throw new IllegalStateException("not started yet");
        }
        return port;
    }

    public String createTask(String prompt) {
        return createTask(TaskSpec.builder(prompt).build());
    }

    public String createTask(TaskSpec spec) {
        return board.create(spec);
    }

    /** Admin cancel: the holder's next /status or /logs for the task is answered 403. */
    public void cancel(String taskId) {
        board.cancel(taskId);
    }

    /** Admin delete: the node's keys then get 404 Node not found, and its name is free again. */
    public void deleteNode(String name) {
        registry.delete(name);
    }

    /** The Range header of each download of file {@code name} so far, oldest first ("" for a whole download). */
    public List<String> fileRanges(String name) {
        return board.fileRanges(name);
    }

    public TaskSnapshot task(String taskId) {
        return board.snapshot(taskId);
    }

    /** Waits until the task is in {@code state}; throws AssertionError (with its history) on timeout. */
    public TaskSnapshot awaitState(String taskId, TaskState state, Duration timeout) throws InterruptedException {
        return board.awaitState(taskId, state, timeout);
    }

    public List<NodeSnapshot> nodes() {
        return registry.snapshots();
    }

    /**
     * The requests processed (answered, or attempted to be), in the order they were done with; hung requests
     * are not among them. A request is recorded just after its answer went out: a test that learns of it from
     * the task's state ({@link #awaitState}) rather than from the answer must wait for its record.
     */
    public List<RequestRecord> requests() {
        return router.requests();
    }

    /**
     * The requests that arrived during a hang, recorded as they arrived: none of them was or will be processed,
     * none is in {@link #requests()}, and each has status -1.
     */
    public List<RequestRecord> hungRequests() {
        return router.hungRequests();
    }

    /**
     * From now until {@link #release()} (or {@link #stop()}), the fake hangs: it accepts connections and reads
     * requests but answers none. A request arriving meanwhile waits until the hang ends and is then dropped, its
     * connection closed without an answer and the request NOT processed: its client, whose read timeout has
     * fired by then, saw no answer, and the fake's state shows nothing of it (see {@link #hungRequests()}).
     * Requests arriving after the hang are served normally. IllegalStateException if already hanging.
     */
    public void hangUntilReleased() {
        hang.start(null);
    }

    /** Like {@link #hangUntilReleased()}, the hang ending by itself after {@code duration} (or at a release). */
    public void hang(Duration duration) {
        hang.start(duration);
    }

    /** Ends the hang, if any: the requests it holds are closed unanswered and unprocessed. */
    public void release() {
        hang.release();
    }

    public boolean isHanging() {
        return hang.current() != null;
    }

    /**
     * The slow server: from now on, every {@code n}-th request (the n-th, 2n-th, ... from this call, counted over
     * all paths, since a slow server is slow for everyone; hung requests do not count) waits {@code delay} before
     * being handled normally, faults included; like {@link #delayNext}, a client that times out meanwhile does
     * not stop it from being processed. {@code n} 0 turns it off; a new call replaces the previous one.
     */
    public void delayEvery(int n, Duration delay) {
        faults.delayEvery(n, delay);
    }

    /**
     * The next {@code times} requests to {@code path} (percent-decoded, e.g. {@code /tasks/pending}) with
     * {@code method} (null = any) are answered {@code status} with {@code detail}, before any other check.
     */
    public void failNext(String method, String path, int status, String detail, int times) {
        faults.add(new Faults.Fault(method, path, null, status, detail, null, false), times);
    }

    /**
     * Like {@link #failNext}, answered as something in front of the orchestrator would (a proxy, a load balancer, a
     * web application firewall): an HTML page saying {@code page}, no {@code {"detail": ...}}.
     */
    public void failNextInBetween(String method, String path, int status, String page, int times) {
        faults.add(new Faults.Fault(method, path, null, status, page, null, true), times);
    }

    /** Like {@link #failNext}, with a Retry-After header of {@code retryAfter} in whole seconds. */
    public void failNextWithRetryAfter(String method, String path, int status, String detail, int times,
            Duration retryAfter) {
        faults.add(new Faults.Fault(method, path, null, status, detail, retryAfter.toSeconds(), false), times);
    }

    /**
     * The next request to {@code path} (any method) waits {@code delay} before being handled normally: a
     * client that times out meanwhile does not stop it from being processed.
     */
    public void delayNext(String path, Duration delay) {
        faults.add(new Faults.Fault(null, path, delay, 0, null, null, false), 1);
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    public static final class Builder {
        private int port;
        private String registrationToken = "fake-registration-token";
        private boolean registrationDisabled;
        private Duration keyGracePeriod = Duration.ofMinutes(5);
        private int registrationsPerMinute = 10;
        private Duration leaseDuration = Duration.ofMinutes(5);
        private Duration sweepInterval = Duration.ofSeconds(30);
        private long logsLimitBytes = 1024 * 1024;
        private String orchestratorUrl = "";
        private SSLContext tls;

        private Builder() {
        }

        /** 0 (the default): an ephemeral port, kept across restarts. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder registrationToken(String token) {
            this.registrationToken = token;
            return this;
        }

        /** Like a server without REGISTRATION_TOKEN: every registration is answered 503. */
        public Builder registrationDisabled(boolean disabled) {
            this.registrationDisabled = disabled;
            return this;
        }

        /** How long a key keeps working after its node registered again (default 5 minutes). */
        public Builder keyGracePeriod(Duration grace) {
            this.keyGracePeriod = grace;
            return this;
        }

        /** Registrations per client address and minute, failures included (default 10); 0 disables. */
        public Builder registrationRateLimit(int perMinute) {
            this.registrationsPerMinute = perMinute;
            return this;
        }

        public Builder leaseDuration(Duration lease) {
            this.leaseDuration = lease;
            return this;
        }

        public Builder sweepInterval(Duration interval) {
            this.sweepInterval = interval;
            return this;
        }

        /** Largest accepted POST /logs body (default 1 MiB, the real server's limit). */
        public Builder logsLimitBytes(long limit) {
            this.logsLimitBytes = limit;
            return this;
        }

        /** The assignment's {@code orchestrator_url}; default {@code ""}, as the real server sends. */
        public Builder orchestratorUrl(String url) {
            this.orchestratorUrl = url;
            return this;
        }

        /** Serves HTTPS with this context's key (see {@link TestCertificates}) instead of plain HTTP. */
        public Builder tls(SSLContext context) {
            this.tls = context;
            return this;
        }

        public FakeOrchestrator build() {
            return new FakeOrchestrator(this);
        }
    }
}
