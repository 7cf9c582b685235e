package com.elcanotek.victoria.runner.container;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import java.util.function.Function;

/** An {@code events} command of a container CLI that prints one JSON object per line. */
final class CliExitEvents implements ExitEventStream {

    private final Cli.Running process;
    private final ObjectMapper mapper;
    private final Function<JsonNode, Optional<ExitEvent>> exitEvent;

    /** @param exitEvent reads one event object of this CLI; empty for events that are not exits */
    CliExitEvents(Cli.Running process, ObjectMapper mapper, Function<JsonNode, Optional<ExitEvent>> exitEvent) {
        this.process = process;
        this.mapper = mapper;
        this.exitEvent = exitEvent;
    }

    @Override
    public Optional<ExitEvent> next() {
        for (Optional<String> line = process.readLine(); line.isPresent(); line = process.readLine()) {
            Optional<ExitEvent> event = parse(line.get());
            if (event.isPresent()) {
                return event;
            }
        }
        return Optional.empty();
    }

    /** A line that is not an exit event (a warning on stdout, a future format) is skipped, not fatal. */
    private Optional<ExitEvent> parse(String line) {
        try {
            JsonNode node = mapper.readTree(line);
            return node == null || !node.isObject() ? Optional.empty() : exitEvent.apply(node);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    @Override
    public String ending() throws InterruptedException {
        return process.ending();
    }

    @Override
    public void close() {
        process.close();
    }
}
