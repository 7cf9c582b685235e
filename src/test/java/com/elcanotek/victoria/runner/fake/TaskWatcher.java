package com.elcanotek.victoria.runner.fake;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The development orchestrator's console: prints what happens to some tasks as it happens, each status transition
 * and each session log accepted, in the order they happened. It reads the same snapshots the tests assert on.
 */
final class TaskWatcher {

    private static final Duration POLL = Duration.ofMillis(100);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private final FakeOrchestrator fake;
    private final PrintStream out;
    private final Map<String, Integer> transitionsShown = new HashMap<>();
    private final Map<String, Integer> logsShown = new HashMap<>();

    TaskWatcher(FakeOrchestrator fake, PrintStream out) {
        this.fake = fake;
        this.out = out;
    }

    /** Prints until every task is final. @return the tasks as they ended */
    List<TaskSnapshot> watchUntilFinal(List<String> taskIds) throws InterruptedException {
        while (true) {
            List<TaskSnapshot> tasks = taskIds.stream().map(fake::task).toList();
            tasks.forEach(this::showNews);
            if (tasks.stream().allMatch(task -> task.state().isFinal())) {
                return tasks;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private void showNews(TaskSnapshot task) {
        List<TaskSnapshot.StatusChange> history = task.history();
        boolean newLog = task.logSubmissions() > logsShown.getOrDefault(task.id(), 0);
        for (TaskSnapshot.StatusChange change : history.subList(transitionsShown.getOrDefault(task.id(), 0), history.size())) {
            if (newLog && task.logsAcceptedAt().isBefore(change.at())) {
                showSession(task);
                newLog = false;
            }
            showTransition(task, change);
        }
        if (newLog) {
            showSession(task);
        }
        transitionsShown.put(task.id(), history.size());
        logsShown.put(task.id(), task.logSubmissions());
    }

    private void showTransition(TaskSnapshot task, TaskSnapshot.StatusChange change) {
        String what;
        if (change.state() == TaskState.PENDING && "created".equals(change.message())) {
            what = "created, prompt: " + task.prompt();
        } else if (change.state() == TaskState.LEASED && change.nodeId() != null) {
            what = "claimed by node " + nodeName(change.nodeId());
        } else {
            what = change.state().wire() + (change.message() == null ? "" : ": " + change.message());
        }
        line(change.at(), task, what);
    }

    private void showSession(TaskSnapshot task) {
        JsonNode session = task.latestSession();
        line(task.logsAcceptedAt(), task, "session log received: \"%s\", %d message(s), %d+%d tokens".formatted(
                session.path("title").asText(), session.path("messages").size(), session.path("prompt_tokens").asLong(),
                session.path("completion_tokens").asLong()));
        for (JsonNode message : session.path("messages")) {
            out.printf("%12s   %-10s %s%n", "", message.path("role").asText() + ":", text(message.path("content").asText()));
        }
    }

    /** Crush keeps a message as a JSON array of parts: the text parts are what a reader wants. */
    private static String text(String parts) {
        try {
            String text = Exchanges.MAPPER.readTree(parts).findValues("text").stream().map(JsonNode::asText)
                    .collect(Collectors.joining(" "));
            return text.isEmpty() ? parts : text;
        } catch (JsonProcessingException e) {
            return parts;
        }
    }

    private String nodeName(String nodeId) {
        return fake.nodes().stream().filter(node -> node.id().equals(nodeId)).map(NodeSnapshot::name).findFirst().orElse(nodeId);
    }

    private void line(Instant at, TaskSnapshot task, String what) {
        out.printf("%s  task %s  %s%n", TIME.format(at), task.id().substring(0, 8), what);
    }
}
