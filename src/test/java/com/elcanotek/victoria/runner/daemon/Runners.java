package com.elcanotek.victoria.runner.daemon;

import java.time.Clock;

import com.elcanotek.victoria.runner.config.RunnerConfig;
import com.elcanotek.victoria.runner.container.ContainerRuntime;

/** Lets tests of other packages assemble a {@link Runner} exactly as the daemon does. */
public final class Runners {

    private Runners() {
    }

    public static Runner create(Daemon daemon, RunnerConfig config, ContainerRuntime runtime, Clock clock) {
        return daemon.create(config, runtime, clock);
    }
}
