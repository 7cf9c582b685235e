package com.elcanotek.victoria.runner.node;

import com.elcanotek.victoria.runner.orchestrator.OrchestratorUrl;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What registration gave this node. Kept across restarts so that the runner registers once: each
 * registration rotates the key, and a node name with a task cannot register again (409).
 *
 * @param orchestratorUrl where the node is registered; another URL means another registration
 */
public record Credentials(
        @JsonProperty("node_id") String nodeId,
        @JsonProperty("api_key") String apiKey,
        @JsonProperty("name") String name,
        @JsonProperty("orchestrator_url") String orchestratorUrl,
        @JsonProperty("registered_at") String registeredAt) {

    /** Whether these are the identity of node {@code nodeName} at {@code url}, however the URL is spelled. */
    public boolean isFor(String nodeName, String url) {
        return nodeName.equals(name) && OrchestratorUrl.same(url, orchestratorUrl);
    }

    @Override
    public String toString() {
        return "Credentials[nodeId=" + nodeId + ", name=" + name + ", orchestratorUrl=" + orchestratorUrl
                + ", apiKey=<redacted>]";
    }
}
