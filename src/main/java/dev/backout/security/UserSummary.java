package dev.backout.security;

import java.time.Instant;
import java.util.List;

/**
 * What the user pages show of an account: never its password hash.
 */
public record UserSummary(long id, String username, List<Role> roles, boolean enabled, boolean locked,
		int failedLogins, Instant createdAt, Instant lastLoginAt) {

	static UserSummary of(ConsoleUser user, Instant now) {
		return new UserSummary(user.id(), user.username(), user.roles().stream().sorted().toList(), user.enabled(),
				user.lockedAt(now), user.failedLogins(), user.createdAt(), user.lastLoginAt());
	}

}
