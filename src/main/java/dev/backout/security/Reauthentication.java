package dev.backout.security;

import java.time.Clock;
import java.time.Duration;

import org.springframework.security.core.Authentication;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;

/**
 * Asks for the password again before grave actions (approving a rollback) unless this very
 * session signed in within {@link #FRESH_SIGN_IN}: freshness belongs to the session, so an older
 * session or an API token of the same person always needs the password. A wrong password counts
 * towards the lockout and is audited.
 */
@Service
public class Reauthentication {

	public static final Duration FRESH_SIGN_IN = Duration.ofMinutes(5);

	private final ConsoleUserRepository users;

	private final PasswordEncoder passwordEncoder;

	private final LoginAttempts attempts;

	private final Clock clock;

	Reauthentication(ConsoleUserRepository users, PasswordEncoder passwordEncoder, LoginAttempts attempts, Clock clock) {
		this.users = users;
		this.passwordEncoder = passwordEncoder;
		this.attempts = attempts;
		this.clock = clock;
	}

	/** Whether this session signed in within {@link #FRESH_SIGN_IN}. */
	public boolean signedInRecently(Authentication user) {
		return user.getDetails() instanceof SignInDetails details
				&& details.signedInAt().isAfter(this.clock.instant().minus(FRESH_SIGN_IN));
	}

	/**
	 * Fresh sign-in of this session, or the right password given now. A wrong one is a failed
	 * attempt; no password at all is not.
	 */
	public Confirmation confirm(Authentication user, String password) {
		if (signedInRecently(user)) {
			return Confirmation.CONFIRMED;
		}
		if (password == null || password.isEmpty()) {
			return Confirmation.PASSWORD_NEEDED;
		}
		boolean matches = this.users.findByUsername(user.getName())
			.filter((account) -> account.enabled() && !account.lockedAt(this.clock.instant()))
			.map((account) -> this.passwordEncoder.matches(password, account.passwordHash()))
			.orElse(false);
		if (!matches) {
			this.attempts.wrongPasswordToConfirm(user.getName());
			return Confirmation.WRONG_PASSWORD;
		}
		return Confirmation.CONFIRMED;
	}

	public enum Confirmation {

		CONFIRMED, PASSWORD_NEEDED, WRONG_PASSWORD

	}

}
