package dev.backout.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Asks for the password again before grave actions (approving a rollback) when the last
 * sign-in is older than {@link #FRESH_SIGN_IN}.
 */
@Service
public class Reauthentication {

	public static final Duration FRESH_SIGN_IN = Duration.ofMinutes(5);

	private final ConsoleUserRepository users;

	private final PasswordEncoder passwordEncoder;

	private final Clock clock;

	Reauthentication(ConsoleUserRepository users, PasswordEncoder passwordEncoder, Clock clock) {
		this.users = users;
		this.passwordEncoder = passwordEncoder;
		this.clock = clock;
	}

	/** Whether {@code username} signed in within {@link #FRESH_SIGN_IN}. */
	@Transactional(readOnly = true)
	public boolean signedInRecently(String username) {
		Instant last = this.users.findByUsername(username).map(ConsoleUser::lastLoginAt).orElse(null);
		return last != null && last.isAfter(this.clock.instant().minus(FRESH_SIGN_IN));
	}

	/** Whether the password is {@code username}'s; an account that is locked or disabled never matches. */
	@Transactional(readOnly = true)
	public boolean passwordMatches(String username, String password) {
		return password != null && this.users.findByUsername(username)
			.filter((user) -> user.enabled() && !user.lockedAt(this.clock.instant()))
			.map((user) -> this.passwordEncoder.matches(password, user.passwordHash()))
			.orElse(false);
	}

	/** Fresh sign-in, or the right password given now. */
	public boolean confirmed(String username, String password) {
		return signedInRecently(username) || passwordMatches(username, password);
	}

}
