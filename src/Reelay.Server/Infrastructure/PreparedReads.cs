using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Reelay.Server.Infrastructure;

/// <summary>
/// SQLite reads on the hot paths through statements compiled once per connection. Microsoft.Data.Sqlite compiles a
/// command's SQL on every execution unless the same command object runs again on a connection that stayed open, and
/// a connection handed back to its pool frees its commands: compiling the task read was 17 % of the server's CPU per
/// authenticated GET (bench/api, perf with DWARF stacks). Each idle session here is an open connection that keeps its
/// prepared commands, one per SQL text; rows are mapped by Dapper's row parser, as every other query is.
/// Sessions run single reads outside any transaction, so they hold no lock between uses.
/// </summary>
public sealed class PreparedReads(string connectionString, Action<SqliteConnection> configure)
{
    /// <summary>Idle sessions kept open; more at a peak are closed when handed back.</summary>
    public const int MaxIdle = 32;

    private readonly ConcurrentBag<Session> _idle = [];

    /// <summary>The rows <paramref name="sql"/> selects, at most <paramref name="limit"/> of them.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, (string Name, object? Value)[] parameters, int limit = int.MaxValue)
    {
        var session = _idle.TryTake(out var idle) ? idle : Session.Open(connectionString, configure);
        try
        {
            var rows = await session.QueryAsync<T>(sql, parameters, limit);
            if (_idle.Count < MaxIdle) _idle.Add(session);
            else session.Dispose();
            return rows;
        }
        catch
        {
            session.Dispose(); // a connection whose read failed is not trusted again
            throw;
        }
    }

    private sealed class Session : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (Type Type, Type[] ColumnTypes, Func<DbDataReader, object> Parse)> _parsers = new(StringComparer.Ordinal);

        private Session(SqliteConnection connection) => _connection = connection;

        public static Session Open(string connectionString, Action<SqliteConnection> configure)
        {
            var connection = new SqliteConnection(connectionString);
            connection.Open();
            configure(connection);
            return new Session(connection);
        }

        public async Task<List<T>> QueryAsync<T>(string sql, (string Name, object? Value)[] parameters, int limit)
        {
            var command = Prepared(sql, parameters);
            foreach (var (name, value) in parameters) command.Parameters[name].Value = value ?? DBNull.Value;
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<T>();
            if (!await reader.ReadAsync()) return rows;
            var parse = Parser(sql, typeof(T), reader);
            do rows.Add((T)parse(reader));
            while (rows.Count < limit && await reader.ReadAsync());
            return rows;
        }

        /// <summary>
        /// Dapper's row parser for this statement's columns. Dapper finds it by the reader's column names and types,
        /// reading every name back from SQLite as a new string: 5 % of the server's CPU on the task read (perf). A
        /// statement's names never change, so the parser is kept per statement and checked against the first row's
        /// column types only, which are what Dapper would otherwise look it up by (a NULL can change them).
        /// </summary>
        private Func<DbDataReader, object> Parser(string sql, Type type, DbDataReader reader)
        {
            if (_parsers.TryGetValue(sql, out var kept) && kept.Type == type && SameColumnTypes(kept.ColumnTypes, reader)) return kept.Parse;
            var columnTypes = new Type[reader.FieldCount];
            for (var i = 0; i < columnTypes.Length; i++) columnTypes[i] = reader.GetFieldType(i);
            // Typed as object: Dapper's typed parser cannot be cast for a simple reference type such as string.
            var parse = reader.GetRowParser<object>(type);
            _parsers[sql] = (type, columnTypes, parse);
            return parse;
        }

        private static bool SameColumnTypes(Type[] kept, DbDataReader reader)
        {
            if (kept.Length != reader.FieldCount) return false;
            for (var i = 0; i < kept.Length; i++)
                if (kept[i] != reader.GetFieldType(i)) return false;
            return true;
        }

        private SqliteCommand Prepared(string sql, (string Name, object? Value)[] parameters)
        {
            if (_commands.TryGetValue(sql, out var command)) return command;
            command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, _) in parameters) command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
            command.Prepare();
            _commands[sql] = command;
            return command;
        }

        public void Dispose()
        {
            foreach (var command in _commands.Values) command.Dispose();
            _connection.Dispose();
        }
    }
}
