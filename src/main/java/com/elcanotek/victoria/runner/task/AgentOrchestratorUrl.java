package com.elcanotek.victoria.runner.task;

import java.net.URI;
import java.net.URISyntaxException;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.orchestrator.OrchestratorUrl;

/**
 * The orchestrator URL a task's agent gets. The node key goes into the same container, so a URL the task
 * carries is taken only when it has the configured orchestrator's origin (scheme, host and port; a path of
 * its own is fine): the key never goes anywhere else. Blank (as the real server sends) means the configured URL.
 */
final class AgentOrchestratorUrl {

    private static final Logger LOG = Logger.getLogger(AgentOrchestratorUrl.class);

    private AgentOrchestratorUrl() {
    }

    static URI choose(String fromTask, URI configured) {
        if (fromTask == null || fromTask.isBlank()) {
            return configured;
        }
        try {
            URI given = new URI(fromTask.strip());
            if (given.getUserInfo() == null && OrchestratorUrl.sameOrigin(given, configured)) {
                return given;
            }
            LOG.warnf("the task's orchestrator_url %s is not the configured orchestrator's origin; the agent gets %s",
                    given.getScheme() + "://" + given.getRawAuthority(), configured);
        } catch (URISyntaxException e) {
            LOG.warnf("the task's orchestrator_url is not a URL (%s); the agent gets %s", e.getMessage(), configured);
        }
        return configured;
    }
}
