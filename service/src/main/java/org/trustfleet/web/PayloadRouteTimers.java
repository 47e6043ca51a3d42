package org.trustfleet.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.http.Outcome;
import io.vertx.core.http.HttpMethod;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The {@code http.server.requests} timer of {@link DevicePayloadRoute}, the one HTTP metric Quarkus does not record
 * itself ({@code quarkus.micrometer.binder.http-server.ignore-patterns}): same name and tags as every other route's,
 * but each timer resolved once per method and status and kept, where Quarkus builds the tags and looks the meter up
 * in the registry on every request, about a tenth of the route's CPU in a profile of the 1,000,000-device benchmark
 * ({@code bench/README.md}). Its {@code uri} is always the route's path, a 304 included (Quarkus tags a 3xx of a path
 * without template {@code REDIRECTION}).
 */
@Singleton
public class PayloadRouteTimers {
    private static final String NAME = "http.server.requests";

    private final MeterRegistry registry;
    /** GET and HEAD timers by {@link #key}; other methods (answered 405) are resolved per request. */
    private final Map<Integer, Timer> timers = new ConcurrentHashMap<>();

    public PayloadRouteTimers(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Records a request of {@code method} answered {@code status}, started at {@code startedNanos} (nanoTime). */
    void record(HttpMethod method, int status, long startedNanos) {
        long elapsed = System.nanoTime() - startedNanos;
        int key = key(method, status);
        Timer timer = key < 0 ? timer(method, status) : timers.get(key);
        if (timer == null) {
            timer = timers.computeIfAbsent(key, k -> timer(method, status));
        }
        timer.record(elapsed, TimeUnit.NANOSECONDS);
    }

    private static int key(HttpMethod method, int status) {
        if (HttpMethod.GET.equals(method)) {
            return status;
        }
        return HttpMethod.HEAD.equals(method) ? 1000 + status : -1;
    }

    private Timer timer(HttpMethod method, int status) {
        return Timer.builder(NAME).tag("method", method.name()).tag("uri", DevicePayloadRoute.PATH)
                .tag("status", Integer.toString(status)).tag("outcome", Outcome.forStatus(status).name())
                .register(registry);
    }
}
