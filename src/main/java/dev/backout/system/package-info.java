/**
 * Running the console: embedded or external database mode, the embedded PostgreSQL server,
 * start-up diagnostics, the home page and error pages.
 */
package dev.backout.system;
