using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace Reelay.Server.Infrastructure;

/// <summary>
/// An SQLite connection that keeps the statements it compiles, one command per SQL text (at most
/// <see cref="MaxStatements"/>), for as long as it stays open. Microsoft.Data.Sqlite compiles a command's SQL again for
/// every new command object, and Dapper makes one per call: SQLite's parser and planner were 11–14 % of the server's CPU
/// under bench/dispatch (perf), much of it inside the group commit's one-at-a-time run of writes (<see cref="WriteGate"/>,
/// which holds one of these open). Commands made through <see cref="DbConnection.CreateCommand"/> take the kept command
/// for their SQL when they run and hand it back, parameters cleared, afterwards; one whose run threw is not kept.
/// Single-threaded, as any connection is.
/// </summary>
public sealed class StatementCachingConnection(string connectionString) : SqliteConnection(connectionString)
{
    /// <summary>The hot writes are a few dozen statements; anything past this is compiled per use as before.</summary>
    public const int MaxStatements = 64;

    private readonly Dictionary<string, SqliteCommand> _kept = new(StringComparer.Ordinal);

    /// <summary>How many compiled commands are kept now (tests).</summary>
    public int KeptStatements => _kept.Count;

    protected override DbCommand CreateDbCommand() => new KeptCommand(this);

    public override void Close()
    {
        // Closing finalizes every statement of the connection (Microsoft.Data.Sqlite), so the kept commands are spent.
        foreach (var command in _kept.Values) command.Dispose();
        _kept.Clear();
        base.Close();
    }

    /// <summary>The kept command for <paramref name="sql"/>, or a new one (also when the kept one is in use).</summary>
    private SqliteCommand Take(string sql) =>
        _kept.Remove(sql, out var kept) ? kept : new SqliteCommand(sql, this) { CommandTimeout = DefaultTimeout };

    private void Return(SqliteCommand command, bool failed)
    {
        command.Parameters.Clear();
        if (!failed && State == ConnectionState.Open && _kept.Count < MaxStatements && _kept.TryAdd(command.CommandText, command)) return;
        command.Dispose();
    }

    /// <summary>
    /// What Dapper and other callers see. Its SQL and parameters are its own until it runs; only then does it take the
    /// kept command for that SQL and bind its parameters there. (Dapper rewrites the SQL after binding when it expands a
    /// list parameter, IN @ids, and adds parameters through the collection it read first.) A reader keeps its command
    /// until this one is disposed; other executions hand it back at once.
    /// </summary>
    private sealed class KeptCommand(StatementCachingConnection connection) : DbCommand
    {
        private readonly OwnParameters _parameters = new();
        private string _text = "";
        private SqliteTransaction? _transaction;
        private int? _timeout;
        private SqliteCommand? _reading;
        private bool _readFailed;

        [AllowNull]
        public override string CommandText
        {
            get => _text;
            set => _text = value ?? "";
        }

        public override int CommandTimeout
        {
            get => _timeout ?? connection.DefaultTimeout;
            set => _timeout = value;
        }

        public override CommandType CommandType
        {
            get => CommandType.Text;
            set
            {
                if (value != CommandType.Text) throw new ArgumentException("SQLite runs only text commands.", nameof(value));
            }
        }

        public override bool DesignTimeVisible { get; set; }
        public override UpdateRowSource UpdatedRowSource { get; set; }

        protected override DbConnection? DbConnection
        {
            get => connection;
            set
            {
                if (value != connection) throw new InvalidOperationException("A kept command belongs to its connection.");
            }
        }

        protected override DbParameterCollection DbParameterCollection => _parameters;

        protected override DbTransaction? DbTransaction
        {
            get => _transaction;
            set => _transaction = (SqliteTransaction?)value;
        }

        public override void Cancel() => _reading?.Cancel();
        public override void Prepare() { } // compiled on its first run and kept from then on
        protected override DbParameter CreateDbParameter() => new SqliteParameter();

        public override int ExecuteNonQuery() => RunAndReturn(command => command.ExecuteNonQuery());
        public override object? ExecuteScalar() => RunAndReturn(command => command.ExecuteScalar());

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior)
        {
            ReturnReading();
            var command = Bound();
            _reading = command;
            try
            {
                return command.ExecuteReader(behavior);
            }
            catch
            {
                _readFailed = true; // a statement whose run failed is not trusted again
                throw;
            }
        }

        private T RunAndReturn<T>(Func<SqliteCommand, T> execute)
        {
            var command = Bound();
            var failed = true;
            try
            {
                var result = execute(command);
                failed = false;
                return result;
            }
            finally
            {
                connection.Return(command, failed);
            }
        }

        /// <summary>The kept command for this SQL, with this command's parameters, transaction (the connection's by default, as SqliteConnection.CreateCommand does) and timeout.</summary>
        private SqliteCommand Bound()
        {
            var command = connection.Take(_text);
            command.Transaction = _transaction ?? connection.Transaction;
            command.CommandTimeout = CommandTimeout;
            foreach (SqliteParameter parameter in _parameters) command.Parameters.Add(parameter);
            return command;
        }

        private void ReturnReading()
        {
            if (_reading is not { } reading) return;
            _reading = null;
            connection.Return(reading, _readFailed);
            _readFailed = false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) ReturnReading();
            base.Dispose(disposing);
        }
    }

    /// <summary>A command's own parameters, bound to the kept command only when it runs.</summary>
    private sealed class OwnParameters : SqliteParameterCollection;
}
