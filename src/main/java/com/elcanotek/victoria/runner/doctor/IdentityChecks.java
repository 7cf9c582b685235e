package com.elcanotek.victoria.runner.doctor;

import java.util.Optional;

import com.elcanotek.victoria.runner.node.Credentials;

/**
 * Who the node is: the name it would register under and where that comes from, and whether the stored key is still
 * taken. The key is tried on a file request no task lists, which the orchestrator answers 401 for a key it does not
 * take and 403 or 404 for one it does, storing nothing: no registration (it would rotate the key a running daemon
 * uses), no heartbeat (it would overwrite the status and current task a running daemon reported), no poll (it claims).
 */
final class IdentityChecks {

    static final String GROUP = "identity";
    /** The file asked for: a name no task lists. */
    static final String PROBE_FILE = "victoria-runner-doctor-probe";

    private IdentityChecks() {
    }

    /** The orchestrator's answer to the probe: its status, and the start of its body (its {@code detail}). */
    record Answer(int status, String body) {
    }

    /** @param source e.g. "--name in the config file", "the host name" */
    static Check name(String name, String source) {
        return Check.ok(GROUP, "name", "'" + name + "', from " + source);
    }

    /**
     * @param stored the stored identity, if any
     * @param matches whether it belongs to this orchestrator URL and name (else the daemon registers anew)
     * @param answer the orchestrator's answer to the key (status and body), or empty when it gave none
     */
    static Check key(Optional<Credentials> stored, boolean matches, Optional<Answer> answer) {
        if (stored.isEmpty()) {
            return Check.ok(GROUP, "key", "no stored identity: the first start registers this node");
        }
        Credentials credentials = stored.get();
        String node = "node " + credentials.nodeId() + " ('" + credentials.name() + "')";
        if (!matches) {
            return Check.warn(GROUP, "key", "the stored identity, " + node + " at " + credentials.orchestratorUrl()
                    + ", is for another orchestrator or name: the next start registers anew (a new key)",
                    "nothing, if the change is meant; else set the URL and name the node was registered with");
        }
        if (answer.isEmpty()) {
            return Check.warn(GROUP, "key", node + " has a stored key, which could not be tried: the orchestrator gave no "
                    + "answer (see network)", "fix the network first");
        }
        int status = answer.get().status();
        if (status == 401 || status == 404 && answer.get().body().contains("Node not found")) {
            return Check.warn(GROUP, "key", "the orchestrator no longer takes the stored key of " + node + " (" + status
                    + "): the daemon registers again with the registration token at its next call",
                    "nothing, if the node was deleted on purpose; else see who deleted it");
        }
        if (status == 403 || status == 404) {
            return Check.ok(GROUP, "key", "the orchestrator takes the stored key of " + node);
        }
        return Check.warn(GROUP, "key", "the stored key of " + node + " could not be judged: the orchestrator answered "
                + status + " to a file request", "see network/orchestrator");
    }
}
