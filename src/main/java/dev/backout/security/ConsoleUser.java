package dev.backout.security;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.MappedCollection;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A person who signs in to the console, with the roles they hold. Sign-in counters are
 * maintained by {@link LoginAttempts} with single atomic updates, not through this aggregate.
 */
@Table("console_user")
record ConsoleUser(@Id Long id, String username, String passwordHash, boolean enabled, int failedLogins,
		Instant lockedUntil, Instant createdAt, Instant lastLoginAt,
		@MappedCollection(idColumn = "console_user") Set<RoleGrant> roleGrants) {

	static ConsoleUser create(String username, String passwordHash, Set<Role> roles) {
		return new ConsoleUser(null, username, passwordHash, true, 0, null, Instant.now(), null, grants(roles));
	}

	Set<Role> roles() {
		EnumSet<Role> roles = EnumSet.noneOf(Role.class);
		this.roleGrants.forEach((grant) -> roles.add(grant.role()));
		return roles;
	}

	boolean lockedAt(Instant now) {
		return this.lockedUntil != null && this.lockedUntil.isAfter(now);
	}

	ConsoleUser withRoles(Set<Role> roles) {
		return new ConsoleUser(this.id, this.username, this.passwordHash, this.enabled, this.failedLogins,
				this.lockedUntil, this.createdAt, this.lastLoginAt, grants(roles));
	}

	ConsoleUser withEnabled(boolean enabled) {
		return new ConsoleUser(this.id, this.username, this.passwordHash, enabled, this.failedLogins,
				this.lockedUntil, this.createdAt, this.lastLoginAt, this.roleGrants);
	}

	ConsoleUser withPasswordHash(String passwordHash) {
		return new ConsoleUser(this.id, this.username, passwordHash, this.enabled, this.failedLogins,
				this.lockedUntil, this.createdAt, this.lastLoginAt, this.roleGrants);
	}

	ConsoleUser unlocked() {
		return new ConsoleUser(this.id, this.username, this.passwordHash, this.enabled, 0, null, this.createdAt,
				this.lastLoginAt, this.roleGrants);
	}

	private static Set<RoleGrant> grants(Set<Role> roles) {
		return roles.stream().map(RoleGrant::new).collect(Collectors.toUnmodifiableSet());
	}

}
