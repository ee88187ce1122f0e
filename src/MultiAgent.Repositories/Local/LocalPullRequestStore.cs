using System.Text.Json;
using MultiAgent.Contracts;
using MultiAgent.Persistence;
using MultiAgent.Persistence.Sql;
using Npgsql;

namespace MultiAgent.Repositories.Local;

/// <summary>
/// Pull requests of local repositories, their reviews and comments, in PostgreSQL (this library's migration
/// <c>0002_local_pull_requests</c>, <see cref="Migrations"/>). Numbers are 1, 2, … per repository, handed out under a transaction-scoped
/// advisory lock keyed by the repository; at most one pull request per head branch is OPEN. Database errors surface
/// as <see cref="NpgsqlException"/>.
/// </summary>
public sealed class LocalPullRequestStore(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null)
{
    // First keys of the two-key advisory locks (the second is hashtext(repository)); the migrator's one-key lock
    // lives in a separate key space.
    private const int NumberingLockClass = 0x4C505231; // "LPR1"
    private const int RepositoryLockClass = 0x4C504D31; // "LPM1"

    /// <summary>The migrations of these tables (Migrations/*.sql), registered by AddLocalGitHost for the migrator.</summary>
    public static MigrationSource Migrations { get; } =
        MigrationSource.FromEmbedded(typeof(LocalPullRequestStore).Assembly, "MultiAgent.Repositories.Migrations.");

    private const string Columns =
        "repository, number, state, head_branch, base_branch, title, body, head_sha, merge_commit_sha, merge_method, " +
        "pending_merge_sha, created_at, updated_at";

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>
    /// Updates title, body, base and head SHA of the OPEN pull request with <see cref="PullRequestSpec.HeadBranch"/>,
    /// or opens a new one with the next number. Concurrent callers with the same head get the same pull request.
    /// </summary>
    public async Task<LocalPullRequest> CreateOrUpdateAsync(
        string repository, PullRequestSpec spec, string headSha, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repository);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(headSha);
        var now = _time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@class, hashtext(@repository))", connection, transaction))
        {
            lockCommand.Parameters.AddAll([Db.Integer("class", NumberingLockClass), Db.Text("repository", repository)]);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        NpgsqlParameter[] Parameters() =>
        [
            Db.Text("repository", repository), Db.Text("head", spec.HeadBranch), Db.Text("base", spec.BaseBranch),
            Db.Text("title", spec.Title), Db.Text("body", spec.Body ?? string.Empty), Db.Text("head_sha", headSha),
            Db.Timestamp("now", now),
        ];

        await using var update = new NpgsqlCommand(
            $"""
            UPDATE local_pull_requests SET title = @title, body = @body, base_branch = @base, head_sha = @head_sha, updated_at = @now
            WHERE repository = @repository AND head_branch = @head AND state = 'OPEN'
            RETURNING {Columns}
            """,
            connection,
            transaction);
        update.Parameters.AddAll(Parameters());
        var result = await ReadOneAsync(update, cancellationToken);
        if (result is null)
        {
            await using var insert = new NpgsqlCommand(
                $"""
                INSERT INTO local_pull_requests (repository, number, state, head_branch, base_branch, title, body, head_sha, created_at, updated_at)
                SELECT @repository, COALESCE(MAX(number), 0) + 1, 'OPEN', @head, @base, @title, @body, @head_sha, @now, @now
                FROM local_pull_requests WHERE repository = @repository
                RETURNING {Columns}
                """,
                connection,
                transaction);
            insert.Parameters.AddAll(Parameters());
            result = await ReadOneAsync(insert, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return result ?? throw new InvalidOperationException($"Pull request for {spec.HeadBranch} in {repository} was neither updated nor inserted.");
    }

    /// <summary>The pull request, or null when the repository has none with that number.</summary>
    public async Task<LocalPullRequest?> GetAsync(string repository, int number, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM local_pull_requests WHERE repository = @repository AND number = @number");
        command.Parameters.AddAll([Db.Text("repository", repository), Db.Integer("number", number)]);
        return await ReadOneAsync(command, cancellationToken);
    }

    /// <summary>Records a review; false when there is no such pull request.</summary>
    public async Task<bool> AddReviewAsync(string repository, int number, ReviewSubmission review, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(review);
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO local_pull_request_reviews (pull_request_id, decision, summary, comments, commit_sha, created_at)
            SELECT id, @decision, @summary, @comments, @commit_sha, @now FROM local_pull_requests
            WHERE repository = @repository AND number = @number
            """);
        command.Parameters.AddAll(
        [
            Db.Text("repository", repository), Db.Integer("number", number),
            Db.Text("decision", WireName<ReviewDecision>.Of(review.Decision)), Db.Text("summary", review.Summary ?? string.Empty),
            Db.Jsonb("comments", JsonSerializer.Serialize(review.Comments?.ToArray() ?? [], LocalJsonContext.Default.ReviewCommentArray)),
            Db.Text("commit_sha", review.CommitSha), Db.Timestamp("now", _time.GetUtcNow()),
        ]);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The pull request's reviews, oldest first.</summary>
    public async Task<IReadOnlyList<LocalPullRequestReview>> ListReviewsAsync(string repository, int number, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT r.id, r.decision, r.summary, r.comments::text AS comments, r.commit_sha, r.created_at
            FROM local_pull_request_reviews r JOIN local_pull_requests p ON p.id = r.pull_request_id
            WHERE p.repository = @repository AND p.number = @number ORDER BY r.id
            """);
        command.Parameters.AddAll([Db.Text("repository", repository), Db.Integer("number", number)]);
        var reviews = new List<LocalPullRequestReview>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            reviews.Add(new LocalPullRequestReview(
                reader.Get<long>("id"),
                WireName<ReviewDecision>.Parse(reader.Get<string>("decision")),
                reader.Get<string>("summary"),
                JsonSerializer.Deserialize(reader.Get<string>("comments"), LocalJsonContext.Default.ReviewCommentArray) ?? [],
                reader.Get<string>("commit_sha"),
                reader.Get<DateTimeOffset>("created_at")));
        }

        return reviews;
    }

    /// <summary>Records a comment; false when there is no such pull request.</summary>
    public async Task<bool> AddCommentAsync(string repository, int number, string body, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO local_pull_request_comments (pull_request_id, body, created_at)
            SELECT id, @body, @now FROM local_pull_requests WHERE repository = @repository AND number = @number
            """);
        command.Parameters.AddAll(
        [
            Db.Text("repository", repository), Db.Integer("number", number), Db.Text("body", body),
            Db.Timestamp("now", _time.GetUtcNow()),
        ]);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The pull request's comments, oldest first.</summary>
    public async Task<IReadOnlyList<LocalPullRequestComment>> ListCommentsAsync(string repository, int number, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT c.id, c.body, c.created_at
            FROM local_pull_request_comments c JOIN local_pull_requests p ON p.id = c.pull_request_id
            WHERE p.repository = @repository AND p.number = @number ORDER BY c.id
            """);
        command.Parameters.AddAll([Db.Text("repository", repository), Db.Integer("number", number)]);
        var comments = new List<LocalPullRequestComment>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            comments.Add(new LocalPullRequestComment(reader.Get<long>("id"), reader.Get<string>("body"), reader.Get<DateTimeOffset>("created_at")));
        }

        return comments;
    }

    /// <summary>Notes the merge commit about to be pushed for an OPEN pull request; false otherwise.</summary>
    public Task<bool> SetPendingMergeAsync(string repository, int number, string mergeCommitSha, CancellationToken cancellationToken = default) =>
        UpdateOpenAsync(repository, number, "pending_merge_sha = @sha", cancellationToken, Db.Text("sha", mergeCommitSha));

    /// <summary>Marks an OPEN pull request MERGED; false when it is not open (or does not exist).</summary>
    public Task<bool> MarkMergedAsync(
        string repository, int number, string mergeCommitSha, MergeMethod method, string headSha, CancellationToken cancellationToken = default) =>
        UpdateOpenAsync(
            repository,
            number,
            "state = 'MERGED', merge_commit_sha = @sha, merge_method = @method, head_sha = @head_sha, pending_merge_sha = NULL, closed_at = @now",
            cancellationToken,
            Db.Text("sha", mergeCommitSha),
            Db.Text("method", method == MergeMethod.Squash ? "SQUASH" : "MERGE"),
            Db.Text("head_sha", headSha));

    /// <summary>Marks an OPEN pull request CLOSED; false when it is not open (or does not exist).</summary>
    public Task<bool> CloseAsync(string repository, int number, CancellationToken cancellationToken = default) =>
        UpdateOpenAsync(repository, number, "state = 'CLOSED', pending_merge_sha = NULL, closed_at = @now", cancellationToken);

    /// <summary>
    /// Holds a session-level advisory lock on <paramref name="repository"/> until disposed, across processes: merges
    /// and closes of one repository's pull requests take it, so they never interleave.
    /// </summary>
    public async Task<IAsyncDisposable> LockRepositoryAsync(string repository, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repository);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@class, hashtext(@repository))", connection);
            command.Parameters.AddAll([Db.Integer("class", RepositoryLockClass), Db.Text("repository", repository)]);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new RepositoryLock(connection, repository);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task<bool> UpdateOpenAsync(
        string repository, int number, string assignments, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        // Only fixed assignments from this class are interpolated; values travel as parameters.
        await using var command = dataSource.CreateCommand(
            $"UPDATE local_pull_requests SET {assignments}, updated_at = @now WHERE repository = @repository AND number = @number AND state = 'OPEN'");
        command.Parameters.AddAll([Db.Text("repository", repository), Db.Integer("number", number), Db.Timestamp("now", _time.GetUtcNow())]);
        command.Parameters.AddAll(parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static async Task<LocalPullRequest?> ReadOneAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new LocalPullRequest(
            reader.Get<string>("repository"),
            reader.Get<int>("number"),
            reader.Get<string>("state") switch
            {
                "OPEN" => PullRequestState.Open,
                "MERGED" => PullRequestState.Merged,
                _ => PullRequestState.Closed,
            },
            reader.Get<string>("head_branch"),
            reader.Get<string>("base_branch"),
            reader.Get<string>("title"),
            reader.Get<string>("body"),
            reader.GetNullableString("head_sha"),
            reader.GetNullableString("merge_commit_sha"),
            reader.GetNullableString("merge_method") switch
            {
                "MERGE" => MergeMethod.Merge,
                "SQUASH" => MergeMethod.Squash,
                _ => null,
            },
            reader.GetNullableString("pending_merge_sha"),
            reader.Get<DateTimeOffset>("created_at"),
            reader.Get<DateTimeOffset>("updated_at"));
    }

    /// <summary>The connection holding a repository lock; disposing releases the lock and returns the connection.</summary>
    private sealed class RepositoryLock(NpgsqlConnection connection, string repository) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@class, hashtext(@repository))", connection);
                command.Parameters.AddAll([Db.Integer("class", RepositoryLockClass), Db.Text("repository", repository)]);
                await command.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // A broken connection has lost its session, and the lock with it.
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}
