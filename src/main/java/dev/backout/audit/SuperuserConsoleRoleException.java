package dev.backout.audit;

/** The console was configured to connect as a database superuser, which no privilege binds. */
class SuperuserConsoleRoleException extends IllegalStateException {

	SuperuserConsoleRoleException(String role) {
		super("The console connects to its database as " + role + ", a superuser: no privilege or trigger protects the "
				+ "trail from it.");
	}

}
