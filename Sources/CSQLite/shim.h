#include <sqlite3.h>

/* sqlite3_db_config is variadic, which Swift cannot call: typed wrappers for the options the appliance sets. */

/* A connection that must never checkpoint the WAL or delete it when it closes (a probe that opens the file by
   path, which may by then be another file than the one the appliance's connections hold open). */
static inline int nt_sqlite3_no_checkpoint_on_close(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}
