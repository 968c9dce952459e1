package dev.backout.security;

import java.time.Duration;
import java.util.Map;

import dev.backout.audit.AuditEntry;
import dev.backout.audit.AuditTrail;

import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Counts failed sign-ins and locks an account after {@value #MAX_FAILURES} of them for
 * {@link #LOCK_DURATION}; writes every failure, lockout and sign-in to the trail. Counters
 * change in one atomic statement so concurrent attempts cannot slip past the limit.
 */
@Component
class LoginAttempts {

	static final int MAX_FAILURES = 5;

	static final Duration LOCK_DURATION = Duration.ofMinutes(15);

	private final JdbcClient jdbc;

	private final AuditTrail trail;

	private final SignInThrottle throttle;

	LoginAttempts(JdbcClient jdbc, AuditTrail trail, SignInThrottle throttle) {
		this.jdbc = jdbc;
		this.trail = trail;
		this.throttle = throttle;
	}

	@EventListener
	@Transactional
	public void onFailure(AbstractAuthenticationFailureEvent event) {
		String claimed = event.getAuthentication().getName();
		if (event.getAuthentication().getDetails() instanceof WebAuthenticationDetails web) {
			this.throttle.failed(web.getRemoteAddress(), claimed);
		}
		String reason = event.getException().getClass().getSimpleName();
		// A failure while locked or disabled does not extend the lock; only bad credentials count.
		if (!"BadCredentialsException".equals(reason)) {
			this.trail.record(AuditEntry.byClaimedName(claimed, "LOGIN_REFUSED", Map.of("reason", reason)));
			return;
		}
		record(claimed, "LOGIN_FAILED");
	}

	/**
	 * A wrong password typed to confirm a grave action (an approval) counts like a failed sign-in
	 * towards the lockout and is audited, in its own transaction: the refused action rolls back,
	 * the failure stays.
	 */
	@Transactional(propagation = Propagation.REQUIRES_NEW)
	public void wrongPasswordToConfirm(String username) {
		record(username, "REAUTHENTICATION_FAILED");
	}

	private void record(String claimed, String action) {
		FailureCount count = this.jdbc.sql("""
				update console_user set
				  failed_logins = case when locked_until is not null and locked_until <= now() then 1 else failed_logins + 1 end,
				  locked_until = case
				    when locked_until is not null and locked_until <= now() then null
				    when failed_logins + 1 >= :max then now() + make_interval(secs => :lockSeconds)
				    else locked_until end
				where username = :username
				returning failed_logins, locked_until is not null as locked
				""")
			.param("max", MAX_FAILURES)
			.param("lockSeconds", LOCK_DURATION.toSeconds())
			.param("username", claimed.trim().toLowerCase())
			.query((rs, row) -> new FailureCount(rs.getInt("failed_logins"), rs.getBoolean("locked")))
			.optional()
			.orElse(FailureCount.UNKNOWN_USER);
		this.trail.record(AuditEntry.byClaimedName(claimed, action,
				Map.of("knownUser", count != FailureCount.UNKNOWN_USER, "failedLogins", count.failures())));
		if (count.locked() && count.failures() == MAX_FAILURES) {
			this.trail.record(AuditEntry.byClaimedName(claimed, "ACCOUNT_LOCKED",
					Map.of("failedLogins", count.failures(), "lockedForMinutes", LOCK_DURATION.toMinutes())));
		}
	}

	@EventListener
	@Transactional
	public void onSuccess(AuthenticationSuccessEvent event) {
		this.jdbc.sql("""
				update console_user set failed_logins = 0, locked_until = null, last_login_at = now()
				where username = :username
				""").param("username", event.getAuthentication().getName()).update();
		this.trail.record(AuditEntry.by(event.getAuthentication(), "LOGIN_SUCCEEDED", Map.of()));
	}

	private record FailureCount(int failures, boolean locked) {

		static final FailureCount UNKNOWN_USER = new FailureCount(0, false);

	}

}
