/**
 * The console's own database, as the modules share it: selects of several modules sent in one
 * round trip ({@link dev.backout.database.OneTrip}). Depends on no other module, so any may use it.
 */
package dev.backout.database;
