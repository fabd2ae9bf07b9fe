import GRDB

/// A record written from one list of columns and their values: GRDB's `insert` and `update` read it through
/// `encode(to:)`, and a pass's many rows of one table go through one prepared statement
/// (``GRDB/Database/insert(_:replacing:)``) instead of a statement built and an encoder run for each.
protocol StoredRow: TableRecord {
    /// The columns, in the order of ``columnValues``.
    static var columnNames: [String] { get }
    /// The row's values, in the order of ``columnNames``.
    var columnValues: [(any DatabaseValueConvertible)?] { get }
}

extension StoredRow {
    /// Puts every column into `container` (the body of the record's `encode(to:)`).
    func encodeColumns(to container: inout PersistenceContainer) {
        for (column, value) in zip(Self.columnNames, columnValues) { container[column] = value }
    }
}

extension Database {
    /// Inserts `rows` with one prepared statement; a row whose key exists replaces it when `replacing`.
    func insert<Row: StoredRow>(_ rows: some Sequence<Row>, replacing: Bool) throws {
        let columns = Row.columnNames.map { $0.quotedDatabaseIdentifier }.joined(separator: ", ")
        let placeholders = Array(repeating: "?", count: Row.columnNames.count).joined(separator: ", ")
        let statement = try cachedStatement(
            sql: "INSERT \(replacing ? "OR REPLACE " : "")INTO \(Row.databaseTableName.quotedDatabaseIdentifier) (\(columns)) VALUES (\(placeholders))")
        for row in rows {
            try statement.execute(arguments: StatementArguments(row.columnValues))
        }
    }
}
