package io.quotagate.bench.scg;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.gateway.filter.ratelimit.KeyResolver;
import org.springframework.context.annotation.Bean;
import reactor.core.publisher.Mono;

/**
 * The Spring Cloud Gateway peer of {@code bench/run.sh}: one route to the benchmark's upstream, rate limited by
 * {@code RequestRateLimiter} with {@code RedisRateLimiter} (one token-bucket script per request on the shared
 * Redis), keyed by the caller's {@code Authorization} header as Quotagate keys tenants by their API key. The
 * route, limits and ports are in {@code application.yml}; the script overrides ports on the command line.
 */
@SpringBootApplication
public class ScgPeer {

    public static void main(String[] args) {
        SpringApplication.run(ScgPeer.class, args);
    }

    /** The rate-limit key: the Authorization header; a request without one gets the limiter's empty-key 403. */
    @Bean
    KeyResolver authorizationKeyResolver() {
        return exchange -> Mono.justOrEmpty(exchange.getRequest().getHeaders().getFirst("Authorization"));
    }
}
