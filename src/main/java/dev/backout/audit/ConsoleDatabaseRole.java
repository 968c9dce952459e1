package dev.backout.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The role the console connects as may append to the trail but never change it. A superuser is
 * beyond privileges and triggers, so the console refuses to start as one, in every mode; a role
 * that owns the trail's table could switch its triggers off, which is allowed but said.
 */
@Component
class ConsoleDatabaseRole implements InitializingBean {

	private static final Logger log = LoggerFactory.getLogger(ConsoleDatabaseRole.class);

	private final JdbcClient jdbc;

	ConsoleDatabaseRole(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	@Override
	public void afterPropertiesSet() {
		this.jdbc.sql("select rolname from pg_roles where rolname = current_user and rolsuper")
			.query(String.class)
			.optional()
			.ifPresent((superuser) -> {
				throw new SuperuserConsoleRoleException(superuser);
			});
	}

	@EventListener(ApplicationReadyEvent.class)
	void warnIfOwner() {
		boolean owner = this.jdbc.sql("select pg_has_role(current_user, tableowner, 'USAGE') from pg_tables where tablename = 'audit_event'")
			.query(Boolean.class)
			.optional()
			.orElse(false);
		if (owner) {
			log.warn("The console's database role owns audit_event and could switch off the trail's triggers; the trail's "
					+ "signatures would still expose a change. Run migrations as another role (spring.liquibase.user), "
					+ "as docker-compose.yml does.");
		}
	}

}
