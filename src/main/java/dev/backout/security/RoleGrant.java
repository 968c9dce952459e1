package dev.backout.security;

import org.springframework.data.relational.core.mapping.Table;

/**
 * One role held by a console user.
 */
@Table("console_user_role")
record RoleGrant(Role role) {
}
