package dev.backout.audit;

import java.util.Map;
import java.util.stream.Collectors;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/**
 * What happened, by whom, before it is chained into the trail.
 *
 * @param actor the user name, or {@code system} for the console itself
 * @param actorRoles the roles the actor held when acting, comma separated
 * @param action what was done, e.g. {@code LOGIN_FAILED}
 * @param incidentId the incident the action belongs to, if any
 * @param details action-specific facts; never secrets
 */
public record AuditEntry(String actor, String actorRoles, String action, Long incidentId, Map<String, ?> details) {

	public static final String SYSTEM = "system";

	public AuditEntry {
		details = (details != null) ? Map.copyOf(details) : Map.of();
		actorRoles = (actorRoles != null) ? actorRoles : "";
	}

	public static AuditEntry by(Authentication who, String action, Map<String, ?> details) {
		return new AuditEntry(who.getName(), rolesOf(who), action, null, details);
	}

	public static AuditEntry bySystem(String action, Map<String, ?> details) {
		return new AuditEntry(SYSTEM, "", action, null, details);
	}

	/** Someone not (yet) authenticated, such as a failed sign-in under a claimed name. */
	public static AuditEntry byClaimedName(String claimedName, String action, Map<String, ?> details) {
		return new AuditEntry(truncate(claimedName, 100), "", action, null, details);
	}

	/** The same entry, belonging to an incident. */
	public AuditEntry forIncident(long incident) {
		return new AuditEntry(this.actor, this.actorRoles, this.action, incident, this.details);
	}

	private static String rolesOf(Authentication who) {
		return who.getAuthorities()
			.stream()
			.map(GrantedAuthority::getAuthority)
			.filter((authority) -> authority.startsWith("ROLE_"))
			.map((authority) -> authority.substring(5))
			.sorted()
			.collect(Collectors.joining(","));
	}

	private static String truncate(String value, int max) {
		String text = (value != null) ? value : "";
		return (text.length() > max) ? text.substring(0, max) : text;
	}

}
