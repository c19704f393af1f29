package optimize

import (
	"fmt"
	"strings"

	"github.com/c-bata/goptuna"
	rdb "github.com/c-bata/goptuna/rdb.v2"
	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// StorageSchemes lists the storage URLs OpenStorage accepts.
const StorageSchemes = "sqlite:///ABSOLUTE/PATH.db or sqlite://RELATIVE/PATH.db"

// OpenStorage opens the storage of a study: "" keeps the trials in this
// process's memory; "sqlite://PATH" keeps them in an SQLite database
// (goptuna's RDB storage over gorm, with a pure-Go SQLite driver, so no
// cgo), created when missing, which several processes may share: each
// write waits up to 60 s for another's lock. close releases it.
func OpenStorage(url string) (st goptuna.Storage, close func() error, err error) {
	if url == "" {
		return goptuna.NewInMemoryStorage(), func() error { return nil }, nil
	}
	path, ok := strings.CutPrefix(url, "sqlite://")
	if !ok || path == "" || strings.ContainsAny(path, "?#") {
		return nil, nil, fmt.Errorf("--storage %q is not a storage URL (accepted: %s)", url, StorageSchemes)
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(60000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, nil, fmt.Errorf("--storage %s: %w", url, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, nil, fmt.Errorf("--storage %s: %w", url, err)
	}
	if err := rdb.RunAutoMigrate(db); err != nil {
		sqlDB.Close()
		return nil, nil, fmt.Errorf("--storage %s: creating the tables: %w", url, err)
	}
	return rdb.NewStorage(db), sqlDB.Close, nil
}
