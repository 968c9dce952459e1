package dev.backout.security;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Personal API tokens.
 *
 * @param lifetime how long a new token works ({@code BACKOUT_API_TOKENS_LIFETIME}, default 90 days)
 */
@ConfigurationProperties("backout.api-tokens")
record ApiTokenProperties(@DefaultValue("90d") Duration lifetime) {
}
