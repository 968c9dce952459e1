package dev.backout;

import java.util.Arrays;

import dev.backout.security.Role;

import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Signs a user in for the calls that follow on this thread: method security reads the security
 * context, not the Authentication passed along.
 */
public final class SignedIn {

	private SignedIn() {
	}

	/**
	 * The demo user who holds {@code role}: a session's user must exist in the console, which
	 * reads the account again on every request (role changes apply to live sessions).
	 */
	public static String demoUser(Role role) {
		return switch (role) {
			case COMMANDER -> "commander";
			case TEAM_LEAD -> "lead";
			case CTO -> "cto";
			case ON_CALL -> "oncall";
			case AUDITOR -> "auditor";
			case ADMIN -> "admin";
			case RUNBOOK_AUTHOR -> "author";
		};
	}

	public static Authentication as(String user, Role... roles) {
		Authentication authentication = UsernamePasswordAuthenticationToken.authenticated(user, null,
				Arrays.stream(roles).map((role) -> new SimpleGrantedAuthority(role.authority())).toList());
		SecurityContextHolder.getContext().setAuthentication(authentication);
		return authentication;
	}

}
