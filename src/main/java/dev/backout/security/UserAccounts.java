package dev.backout.security;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.backout.audit.AuditEntry;
import dev.backout.audit.AuditTrail;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.server.ResponseStatusException;

/**
 * Account administration. Every change and its audit event commit together; changes that
 * would lock the acting admin out of the console are refused.
 */
@Service
class UserAccounts {

	static final int MIN_PASSWORD_LENGTH = 12;

	private final ConsoleUserRepository users;

	private final PasswordEncoder passwordEncoder;

	private final AuditTrail trail;

	UserAccounts(ConsoleUserRepository users, PasswordEncoder passwordEncoder, AuditTrail trail) {
		this.users = users;
		this.passwordEncoder = passwordEncoder;
		this.trail = trail;
	}

	@Transactional(readOnly = true)
	List<ConsoleUser> all() {
		return this.users.findAllByOrderByUsername();
	}

	@Transactional(readOnly = true)
	ConsoleUser get(long id) {
		return this.users.findById(id)
			.orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No user with id " + id));
	}

	@Transactional(readOnly = true)
	boolean isEmpty() {
		return this.users.count() == 0;
	}

	@Transactional
	ConsoleUser create(String username, String password, Set<Role> roles, Authentication actor) {
		checkPassword(password);
		return createHashed(username, this.passwordEncoder.encode(password), roles, actor);
	}

	/** A user whose password was hashed already (the demo users share one hash: hashing is slow on purpose). */
	@Transactional
	ConsoleUser createHashed(String username, String passwordHash, Set<Role> roles, Authentication actor) {
		String name = username.trim().toLowerCase();
		if (this.users.existsByUsername(name)) {
			throw new UserAccountException("A user named '" + name + "' already exists.");
		}
		ConsoleUser user = this.users.save(ConsoleUser.create(name, passwordHash,
				roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles)));
		audit(actor, "USER_CREATED", user, Map.of("roles", user.roles().toString()));
		return user;
	}

	@Transactional
	void grant(long id, Role role, Authentication admin) {
		ConsoleUser user = get(id);
		EnumSet<Role> roles = copyOf(user.roles());
		if (roles.add(role)) {
			this.users.save(user.withRoles(roles));
			audit(admin, "ROLE_GRANTED", user, Map.of("role", role.name()));
		}
	}

	@Transactional
	void revoke(long id, Role role, Authentication admin) {
		ConsoleUser user = get(id);
		if (role == Role.ADMIN && user.username().equals(admin.getName())) {
			throw new UserAccountException("You cannot revoke your own administrator role.");
		}
		EnumSet<Role> roles = copyOf(user.roles());
		if (roles.remove(role)) {
			this.users.save(user.withRoles(roles));
			audit(admin, "ROLE_REVOKED", user, Map.of("role", role.name()));
		}
	}

	@Transactional
	void setEnabled(long id, boolean enabled, Authentication admin) {
		ConsoleUser user = get(id);
		if (!enabled && user.username().equals(admin.getName())) {
			throw new UserAccountException("You cannot disable your own account.");
		}
		if (user.enabled() != enabled) {
			this.users.save(user.withEnabled(enabled));
			String action = enabled ? "USER_ENABLED" : "USER_DISABLED";
			audit(admin, action, user, Map.of());
		}
	}

	@Transactional
	void resetPassword(long id, String newPassword, Authentication actor) {
		checkPassword(newPassword);
		resetPasswordHashed(id, this.passwordEncoder.encode(newPassword), actor);
	}

	@Transactional
	void resetPasswordHashed(long id, String passwordHash, Authentication actor) {
		ConsoleUser user = get(id);
		this.users.save(user.withPasswordHash(passwordHash).unlocked());
		audit(actor, "PASSWORD_RESET", user, Map.of());
	}

	@Transactional
	void unlock(long id, Authentication admin) {
		ConsoleUser user = get(id);
		this.users.save(user.unlocked());
		audit(admin, "USER_UNLOCKED", user, Map.of());
	}

	void checkPassword(String password) {
		if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
			throw new UserAccountException("A password needs at least " + MIN_PASSWORD_LENGTH + " characters.");
		}
		if (BoundedPasswordEncoder.tooLong(password)) {
			throw new UserAccountException("A password may be at most " + BoundedPasswordEncoder.MAX_BYTES
					+ " bytes long (bcrypt reads no further).");
		}
	}

	/** Records {@code action} on {@code subject}; a null actor is the console itself (seeding). */
	private void audit(Authentication actor, String action, ConsoleUser subject, Map<String, ?> details) {
		Map<String, Object> all = new HashMap<>(details);
		all.put("user", subject.username());
		this.trail.record((actor != null) ? AuditEntry.by(actor, action, all) : AuditEntry.bySystem(action, all));
	}

	private static EnumSet<Role> copyOf(Set<Role> roles) {
		return roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles);
	}

}
