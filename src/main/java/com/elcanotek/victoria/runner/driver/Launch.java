package com.elcanotek.victoria.runner.driver;

import java.net.URI;
import java.util.List;

import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;

/**
 * What one start of a task's agent needs.
 *
 * @param nodeId this node's id, a label of the instance
 * @param apiKey the node key the agent calls the orchestrator with: a secret, never in an argument
 * @param orchestratorUrl the orchestrator the agent is told to call
 * @param hasFiles whether the task's files were downloaded for it
 * @param devices the devices of its own the task was given, in place of all the operator's; empty: all of them
 */
public record Launch(TaskAssignment task, String nodeId, String apiKey, URI orchestratorUrl, boolean hasFiles,
        List<String> devices) {

    public Launch {
        devices = List.copyOf(devices);
    }

    @Override
    public String toString() {
        return "Launch[task=" + task.taskId() + ", nodeId=" + nodeId + ", orchestratorUrl=" + orchestratorUrl
                + ", hasFiles=" + hasFiles + ", devices=" + devices + ", apiKey=<redacted>]";
    }
}
