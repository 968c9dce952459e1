package dev.backout.security;

import java.time.Instant;

/**
 * A personal API token as its owner sees it: never the token itself, which is shown once.
 */
public record ApiToken(long id, String name, String prefix, Instant createdAt, Instant lastUsedAt, Instant revokedAt,
		Instant expiresAt) {

	public boolean active() {
		return this.revokedAt == null;
	}

	public boolean expiredAt(Instant now) {
		return !this.expiresAt.isAfter(now);
	}

}
