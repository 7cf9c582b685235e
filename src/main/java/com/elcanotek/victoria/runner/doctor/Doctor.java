package com.elcanotek.victoria.runner.doctor;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.elcanotek.victoria.runner.config.RunnerConfig;
import com.elcanotek.victoria.runner.container.ContainerRuntime;
import com.elcanotek.victoria.runner.container.PromptArgument;
import com.elcanotek.victoria.runner.network.ProxyUrl;
import com.elcanotek.victoria.runner.node.Credentials;
import com.elcanotek.victoria.runner.node.CredentialsStore;
import com.elcanotek.victoria.runner.orchestrator.OrchestratorApi;
import com.elcanotek.victoria.runner.orchestrator.UserAgent;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code victoria-runner doctor}: whether the runner can work on this host, read-only and safe beside a running
 * service. It reads the runner's files, resolves names, makes one request to the orchestrator that changes nothing
 * there (see {@link IdentityChecks}), and asks the engine questions ({@code version}, {@code info}, {@code image
 * inspect}); it writes nothing, registers nothing, claims nothing and starts no container.
 */
public final class Doctor {

    /** What the doctor is told of the settings' origins, beside the settings themselves. */
    public record Sources(List<RunnerFile> files, String nameSource) {
    }

    /** A file the runner reads or keeps, for {@link ConfigurationChecks}. @param secret whether it holds a secret */
    public record RunnerFile(String role, Path path, boolean secret) {
    }

    /** The longest the orchestrator is waited for: the doctor is run by people, and by postinst. */
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final ObjectMapper json;
    private final Clock clock;
    private final String user;
    private final long uid;
    private final Places places;
    private final Optional<List<String>> systemctl;

    /**
     * @param user who the checks run as
     * @param systemctl the {@code systemctl} command, when the service's state is to be checked (root on a systemd host)
     */
    public Doctor(ObjectMapper json, Clock clock, String user, long uid, Places places,
            Optional<List<String>> systemctl) {
        this.json = json;
        this.clock = clock;
        this.user = user;
        this.uid = uid;
        this.places = places;
        this.systemctl = systemctl;
    }

    /** The report of settings that did not resolve: that, and the host checks that need no settings. */
    public Report invalid(String why) {
        List<Check> checks = new ArrayList<>();
        checks.add(Check.fail(ConfigurationChecks.GROUP, "settings", why, "correct the option it names (victoria-runner "
                + "--help; /etc/victoria-runner/runner.conf, runner.env)"));
        checks.add(HostChecks.locale(PromptArgument.charset()));
        systemctl.ifPresent(command -> checks.add(HostChecks.service(command)));
        return new Report(user, checks);
    }

    public Report examine(RunnerConfig config, Sources sources, Optional<ContainerRuntime> runtime, String version) {
        List<Check> checks = new ArrayList<>();
        ConfigurationChecks configuration = new ConfigurationChecks(user);
        checks.add(Check.ok(ConfigurationChecks.GROUP, "settings", "they resolve: orchestrator " + config.orchestratorUrl()
                + ", engine " + config.containerRuntime() + ", state dir " + config.stateDir()));
        checks.addAll(configuration.files(sources.files()));
        checks.add(configuration.stateDir(config.stateDir(), config.victoriaHome()));

        URI url = config.orchestratorUrl();
        Optional<ProxyUrl> proxy = config.network().proxy().forTarget(url);
        checks.add(NetworkChecks.proxy(url, config.network()));
        Check dns = NetworkChecks.dns(url, proxy);
        checks.add(dns);
        Optional<Credentials> stored = new CredentialsStore(config.layout().credentials(), json).load();
        boolean matches = stored.filter(c -> c.isFor(config.name(), url.toString())).isPresent();
        Optional<IdentityChecks.Answer> answer = Optional.empty();
        if (dns.result() != Check.Result.FAIL) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("User-Agent", UserAgent.of(version, UserAgent.engine(runtime)).header());
            if (matches) {
                headers.put(OrchestratorApi.API_KEY_HEADER, stored.get().apiKey());
            }
            Duration patience = config.connectTimeout().plus(config.readTimeout());
            OrchestratorProbe.Outcome outcome = new OrchestratorProbe(patience.compareTo(PATIENCE) > 0 ? PATIENCE : patience)
                    .get(url, "/files/" + IdentityChecks.PROBE_FILE, headers, proxy, config.network().trust());
            checks.addAll(NetworkChecks.probe(url, config.network(), outcome, clock.instant()));
            if (outcome.stage() == OrchestratorProbe.Stage.ANSWERED && outcome.status() != 407) {
                answer = Optional.of(new IdentityChecks.Answer(outcome.status(), outcome.body()));
            }
        }
        checks.add(IdentityChecks.name(config.name(), sources.nameSource()));
        checks.add(IdentityChecks.key(stored, matches, answer));

        EngineChecks.Findings engine = new EngineChecks(places, user, uid).all(runtime, config);
        checks.addAll(engine.checks());

        checks.add(HostChecks.disk("state dir", config.stateDir(), HostChecks.STATE_DIR_MINIMUM, true));
        long homeMinimum = config.housekeeping().minFreeDisk();
        checks.add(HostChecks.disk("Victoria home", config.victoriaHome(), homeMinimum, true));
        engine.facts().ifPresent(facts -> checks.add(HostChecks.disk("image store", facts.imageStore(), homeMinimum, false)));
        checks.add(HostChecks.locale(PromptArgument.charset()));
        systemctl.ifPresent(command -> checks.add(HostChecks.service(command)));
        return new Report(user, checks);
    }
}
