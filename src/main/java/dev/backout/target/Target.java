package dev.backout.target;

import java.time.Instant;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A registered database that runbooks run against. The password is stored encrypted and never
 * leaves this module in clear except to open a connection.
 *
 * @param aliasGroup targets of one group are interchangeable for a runbook (production and its
 * staging copy for a rehearsal)
 * @param checkUsername the credential checks run as (one that can only read); null: the main one
 * @param allowSuperuserChecks an admin allowed checks to run as a superuser on this target
 */
@Table("target")
public record Target(@Id Long id, String name, String aliasGroup, Environment environment, String jdbcUrl,
		String username, byte[] passwordEncrypted, Instant createdAt, Instant updatedAt, String checkUsername,
		byte[] checkPasswordEncrypted, boolean allowSuperuserChecks) {

	public boolean hasPassword() {
		return this.passwordEncrypted != null;
	}

	/** Who checks connect as. */
	public String checkRole() {
		return (this.checkUsername != null) ? this.checkUsername : this.username;
	}

	Target with(Targets.TargetSpec spec, byte[] password, byte[] checkPassword, Instant now) {
		return new Target(this.id, this.name, spec.aliasGroup(), spec.environment(), spec.jdbcUrl().trim(),
				spec.username().trim(), password, this.createdAt, now, blankToNull(spec.checkUsername()), checkPassword,
				spec.allowSuperuserChecks());
	}

	static String blankToNull(String text) {
		return (text == null || text.isBlank()) ? null : text.trim();
	}

	@Override
	public String toString() {
		// Never print the secret, not even encrypted.
		return "Target[" + this.name + " " + this.environment + " " + this.jdbcUrl + " as " + this.username
				+ ((this.checkUsername != null) ? ", checks as " + this.checkUsername : "") + "]";
	}

}
