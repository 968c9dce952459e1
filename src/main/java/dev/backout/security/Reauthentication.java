package dev.backout.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

import org.springframework.security.core.Authentication;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.stereotype.Service;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Asks for the password again before grave actions (approving a rollback) unless this very
 * session signed in within {@link #FRESH_SIGN_IN}: freshness belongs to the session, so an older
 * session or an API token of the same person always needs the password. A wrong password counts
 * towards the lockout and is audited.
 */
@Service
public class Reauthentication {

	public static final Duration FRESH_SIGN_IN = Duration.ofMinutes(5);

	private static final String SIGN_IN_AGAIN = "again";

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

	/**
	 * Whether this session signed in within {@link #FRESH_SIGN_IN}: with a password here, or at the
	 * company's provider (its {@code auth_time}, else when it issued the ID token).
	 */
	public boolean signedInRecently(Authentication user) {
		Instant since = this.clock.instant().minus(FRESH_SIGN_IN);
		if (user.getPrincipal() instanceof OidcUser person) {
			Instant at = (person.getAuthenticatedAt() != null) ? person.getAuthenticatedAt() : person.getIssuedAt();
			return at != null && at.isAfter(since);
		}
		return user.getDetails() instanceof SignInDetails details && details.signedInAt().isAfter(since);
	}

	/**
	 * Where a person signed in by the company's provider confirms who they are again (they have no
	 * password here): the provider, asked to sign them in anew.
	 */
	public Optional<String> signInAgainAt(Authentication user) {
		return (user instanceof OAuth2AuthenticationToken token)
				? Optional.of("/oauth2/authorization/" + token.getAuthorizedClientRegistrationId() + "?" + SIGN_IN_AGAIN + "=true")
				: Optional.empty();
	}

	/** Asks the provider for a fresh sign-in (OpenID Connect {@code prompt=login}, {@code max_age=0}) when the console needs one. */
	static Consumer<OAuth2AuthorizationRequest.Builder> promptingForLogin() {
		return (builder) -> {
			ServletRequestAttributes current = (ServletRequestAttributes) RequestContextHolder.getRequestAttributes();
			if (current != null && "true".equals(current.getRequest().getParameter(SIGN_IN_AGAIN))) {
				builder.additionalParameters((parameters) -> {
					parameters.put("prompt", "login");
					parameters.put("max_age", "0");
				});
			}
		};
	}

	/**
	 * Fresh sign-in of this session, or the right password given now. A wrong one is a failed
	 * attempt; no password at all is not.
	 */
	public Confirmation confirm(Authentication user, String password) {
		if (signedInRecently(user)) {
			return Confirmation.CONFIRMED;
		}
		if (user.getPrincipal() instanceof OidcUser) {
			return Confirmation.SIGN_IN_AGAIN; // no password here to check, and none to guess
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

		CONFIRMED, PASSWORD_NEEDED, WRONG_PASSWORD, SIGN_IN_AGAIN

	}

}
