package dev.backout.security;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.backout.audit.AuditEntry;
import dev.backout.audit.AuditTrail;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Where people are told about incidents: each person's e-mail address, set by that person and
 * recorded in the trail (an address that changes quietly could send someone's approvals elsewhere).
 */
@Component
public class Contacts {

	private static final Pattern ADDRESS = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+");

	private final JdbcClient jdbc;

	private final AuditTrail trail;

	Contacts(JdbcClient jdbc, AuditTrail trail) {
		this.jdbc = jdbc;
		this.trail = trail;
	}

	/** The addresses of enabled people who hold one of the roles, except {@code except} (the commander). */
	public List<String> addressesOf(Collection<Role> roles, String except) {
		if (roles.isEmpty()) {
			return List.of();
		}
		return this.jdbc.sql("""
				select distinct u.email from console_user u join console_user_role r on r.console_user = u.id
				where u.enabled and u.email is not null and r.role in (:roles) and u.username <> :except
				order by u.email
				""").param("roles", roles.stream().map(Role::name).toList()).param("except", (except != null) ? except : "")
			.query(String.class).list();
	}

	public Optional<String> addressOf(String username) {
		return this.jdbc.sql("select email from console_user where username = :username and enabled and email is not null")
			.param("username", username).query(String.class).optional();
	}

	/** @param address the new address, or blank for none */
	@Transactional
	void change(Authentication person, String address) {
		String email = (address == null || address.isBlank()) ? null : address.strip();
		if (email != null && (email.length() > 254 || !ADDRESS.matcher(email).matches())) {
			throw new UserAccountException("That is not an e-mail address (name@example.com, at most 254 characters).");
		}
		this.jdbc.sql("update console_user set email = :email where username = :username").param("email", email)
			.param("username", person.getName()).update();
		this.trail.record(AuditEntry.by(person, "EMAIL_CHANGED", Map.of("email", (email != null) ? email : "none")));
	}

}
