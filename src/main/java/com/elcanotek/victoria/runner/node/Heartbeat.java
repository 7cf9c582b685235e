package com.elcanotek.victoria.runner.node;

import java.util.Optional;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.metrics.RunnerMetrics;
import com.elcanotek.victoria.runner.orchestrator.HeartbeatRequest;
import com.elcanotek.victoria.runner.orchestrator.NodeStatus;
import com.elcanotek.victoria.runner.orchestrator.Orchestrator;
import com.elcanotek.victoria.runner.orchestrator.OrchestratorException;
import com.elcanotek.victoria.runner.orchestrator.Refusal;

/**
 * Tells the orchestrator this node is alive and what it runs. A busy heartbeat naming a task also
 * renews that task's lease, so it names the task whose lease matters most; the others are renewed
 * by their own {@code running} reports. A node that holds no task and cannot take one because the host is broken says
 * {@code error}, so that the orchestrator shows it as broken rather than idle. A failure is logged and left to the next
 * beat.
 */
public class Heartbeat {

    private static final Logger LOG = Logger.getLogger(Heartbeat.class);

    private final Orchestrator orchestrator;
    private final Registration registration;
    private final Supplier<Optional<String>> namedTask;
    private final RunnerMetrics metrics;
    private final Supplier<Optional<String>> hostTrouble;

    /**
     * @param namedTask the task to name in the heartbeat, empty when the node is idle
     * @param hostTrouble why this host cannot take work now (an open host breaker, a full disk, an engine gone; never a
     *                    drain, which the operator chose), empty while it can
     */
    public Heartbeat(Orchestrator orchestrator, Registration registration, Supplier<Optional<String>> namedTask,
            RunnerMetrics metrics, Supplier<Optional<String>> hostTrouble) {
        this.orchestrator = orchestrator;
        this.registration = registration;
        this.namedTask = namedTask;
        this.metrics = metrics;
        this.hostTrouble = hostTrouble;
    }

    /** @return whether the orchestrator took the heartbeat */
    public boolean beat() {
        Optional<Credentials> credentials = registration.current();
        if (credentials.isEmpty()) {
            return false;
        }
        Optional<String> task = namedTask.get();
        Optional<String> trouble = task.isPresent() ? Optional.empty() : hostTrouble.get();
        HeartbeatRequest request = new HeartbeatRequest(credentials.get().nodeId(),
                task.isPresent() ? NodeStatus.BUSY : trouble.isPresent() ? NodeStatus.ERROR : NodeStatus.IDLE, task.orElse(null));
        try {
            orchestrator.heartbeat(request);
            LOG.debugf("Heartbeat sent (%s%s%s)", request.status().wire(), task.map(t -> ", task " + t).orElse(""),
                    trouble.map(why -> ": " + why).orElse(""));
            return true;
        } catch (OrchestratorException e) {
            metrics.heartbeatFailed();
            Refusal refusal = e.refusal();
            if (refusal == Refusal.REREGISTER || refusal == Refusal.NOT_OURS) {
                LOG.warnf("Heartbeat refused (%s): registering again", e.getMessage());
                registerAgain(credentials, e.getMessage());
            } else {
                LOG.logf(orchestrator.levelOf(e), "Heartbeat failed: %s; next beat will retry", e.getMessage());
            }
            return false;
        }
    }

    private void registerAgain(Optional<Credentials> refused, String reason) {
        try {
            registration.renewUnlessRenewed(refused, reason);
        } catch (OrchestratorException e) {
            LOG.logf(orchestrator.levelOf(e), "Registering again failed: %s; next beat will retry", e.getMessage());
        }
    }
}
