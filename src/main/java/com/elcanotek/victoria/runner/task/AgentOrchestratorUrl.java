package com.elcanotek.victoria.runner.task;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

import org.jboss.logging.Logger;

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
            if (sameOrigin(given, configured)) {
                return given;
            }
            LOG.warnf("the task's orchestrator_url %s is not the configured orchestrator's origin; the agent gets %s",
                    given.getScheme() + "://" + given.getRawAuthority(), configured);
        } catch (URISyntaxException e) {
            LOG.warnf("the task's orchestrator_url is not a URL (%s); the agent gets %s", e.getMessage(), configured);
        }
        return configured;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && a.getHost() != null && a.getUserInfo() == null
                && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost().toLowerCase(Locale.ROOT).equals(b.getHost().toLowerCase(Locale.ROOT))
                && port(a) == port(b);
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
