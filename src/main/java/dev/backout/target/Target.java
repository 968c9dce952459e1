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
 */
@Table("target")
public record Target(@Id Long id, String name, String aliasGroup, Environment environment, String jdbcUrl,
		String username, byte[] passwordEncrypted, Instant createdAt, Instant updatedAt) {

	public boolean hasPassword() {
		return this.passwordEncrypted != null;
	}

	Target with(String aliasGroup, Environment environment, String jdbcUrl, String username, byte[] password,
			Instant now) {
		return new Target(this.id, this.name, aliasGroup, environment, jdbcUrl, username, password, this.createdAt, now);
	}

	@Override
	public String toString() {
		// Never print the secret, not even encrypted.
		return "Target[" + this.name + " " + this.environment + " " + this.jdbcUrl + " as " + this.username + "]";
	}

}
