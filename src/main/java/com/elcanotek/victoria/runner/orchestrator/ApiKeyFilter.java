package com.elcanotek.victoria.runner.orchestrator;

import java.util.function.Supplier;

import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;

/**
 * Adds the node key to every call but registration, which carries the registration token instead.
 * The key is read on each call, so a re-registration takes effect at once.
 */
final class ApiKeyFilter implements ClientRequestFilter {

    private final Supplier<String> apiKey;

    ApiKeyFilter(Supplier<String> apiKey) {
        this.apiKey = apiKey;
    }

    @Override
    public void filter(ClientRequestContext request) {
        if (request.getHeaders().containsKey(OrchestratorApi.REGISTRATION_TOKEN_HEADER)) {
            return;
        }
        String key = apiKey.get();
        if (key != null) {
            request.getHeaders().putSingle(OrchestratorApi.API_KEY_HEADER, key);
        }
    }
}
