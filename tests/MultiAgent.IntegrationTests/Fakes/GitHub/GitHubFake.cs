using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MultiAgent.IntegrationTests.Fakes.GitHub;

/// <summary>
/// A GitHub REST API served by Kestrel on 127.0.0.1 (random port): the token's user (<c>GET /user</c>), repositories,
/// pull requests (list/create/get/update, files and reviews with paging, posting reviews, merge) and issue comments,
/// held in memory. Per route it can be scripted to answer with
/// faults first (status, headers, body, delay), and it records every request it receives. A repository may be backed by
/// a bare git repository on disk (<see cref="FakeRepository.GitDirectory"/>), so that clients clone and push for real.
/// </summary>
public sealed partial class GitHubFake : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    private readonly object _gate = new();
    private readonly WebApplication _app;
    private readonly string _basePath;
    private readonly List<RecordedRequest> _requests = [];
    private readonly ConcurrentDictionary<string, ConcurrentQueue<FakeFault>> _faults = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeRepository> _repositories = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(Func<RecordedRequest, bool> Predicate, TaskCompletionSource<RecordedRequest> Completion)> _waiters = [];
    private long _nextId = 1000;

    private GitHubFake(WebApplication app, string basePath)
    {
        _app = app;
        _basePath = basePath;
    }

    /// <summary>The API root a client is configured with, ending in '/': <c>http://127.0.0.1:PORT{basePath}/</c>.</summary>
    public Uri ApiBaseUrl { get; private set; } = null!;

    /// <summary>When set, requests must carry <c>Authorization: Bearer|token TOKEN</c>; others get 401 "Bad credentials".</summary>
    public string? RequiredToken { get; set; }

    /// <summary>
    /// The user the token belongs to: <c>GET /user</c> answers with it, and pull requests and reviews created through the
    /// API are authored by it.
    /// </summary>
    public string AuthenticatedLogin { get; set; } = "multiagent-bot";

    /// <summary>Like GitHub: APPROVE or REQUEST_CHANGES by the pull request's author is refused with 422.</summary>
    public bool RejectSelfReview { get; set; }

    /// <summary>Largest page the files endpoint returns (GitHub: per_page, at most 100).</summary>
    public int FilesPageSize { get; set; } = 100;

    /// <summary>Largest page the reviews endpoint returns (GitHub: per_page, at most 100).</summary>
    public int ReviewsPageSize { get; set; } = 100;

    /// <summary>Starts a fake; <paramref name="basePath"/> is the API's path prefix (e.g. <c>/api/v3</c> for GitHub Enterprise).</summary>
    public static async Task<GitHubFake> StartAsync(string basePath = "")
    {
        basePath = basePath.TrimEnd('/');
        if (basePath.Length > 0 && !basePath.StartsWith('/'))
        {
            basePath = "/" + basePath;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new GitHubFake(app, basePath);
        app.Run(fake.HandleAsync);
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.ApiBaseUrl = new Uri($"{address.TrimEnd('/')}{basePath}/");
        return fake;
    }

    /// <summary>
    /// Adds a repository; with <paramref name="gitDirectory"/> (a bare repository) it is backed by real git: see
    /// <see cref="FakeRepository.GitDirectory"/>.
    /// </summary>
    public FakeRepository AddRepository(string owner, string name, string defaultBranch = "main", string webHost = "github.com", string? gitDirectory = null)
    {
        var repository = new FakeRepository(owner, name, defaultBranch, webHost) { GitDirectory = gitDirectory };
        repository.BranchSha(defaultBranch);
        lock (_gate)
        {
            _repositories[$"{owner}/{name}"] = repository;
        }

        return repository;
    }

    /// <summary>Adds an open pull request (as if opened by someone), with files for the diff.</summary>
    public FakePullRequest AddPullRequest(FakeRepository repository, string headRef, string title, IEnumerable<FakeFile>? files = null, string? baseRef = null)
    {
        lock (_gate)
        {
            var pr = new FakePullRequest
            {
                Number = repository.NextNumber++,
                Title = title,
                HeadRef = headRef,
                HeadSha = repository.BranchSha(headRef),
                BaseRef = baseRef ?? repository.DefaultBranch,
                BaseSha = repository.BranchSha(baseRef ?? repository.DefaultBranch),
            };
            pr.Files.AddRange(files ?? []);
            repository.PullRequests.Add(pr);
            return pr;
        }
    }

    /// <summary>
    /// Adds a review to <paramref name="pullRequest"/> as if <paramref name="login"/> had posted it on GitHub (not through
    /// the token): <paramref name="event"/> APPROVE, REQUEST_CHANGES or COMMENT, of <paramref name="commitId"/> (by
    /// default the pull request's head).
    /// </summary>
    public FakeReview AddReview(FakePullRequest pullRequest, string login, string @event, string body, string? commitId = null)
    {
        ArgumentNullException.ThrowIfNull(pullRequest);
        lock (_gate)
        {
            var review = new FakeReview(Interlocked.Increment(ref _nextId), @event, body, commitId ?? pullRequest.HeadSha, []) { AuthorLogin = login };
            pullRequest.Reviews.Add(review);
            return review;
        }
    }

    /// <summary>
    /// Queues <paramref name="times"/> copies of a fault for requests with this method and path (below the base path,
    /// no query, e.g. <c>/repos/o/r/pulls</c>); the route answers normally once its queue is empty.
    /// </summary>
    public void Enqueue(string method, string path, FakeFault fault, int times = 1)
    {
        var queue = _faults.GetOrAdd(RouteKey(method, path), _ => new ConcurrentQueue<FakeFault>());
        for (var i = 0; i < times; i++)
        {
            queue.Enqueue(fault);
        }
    }

    /// <summary>Every request received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToArray();
            }
        }
    }

    /// <summary>
    /// Completes when a request matching <paramref name="predicate"/> has been answered (at once if one already was);
    /// fails after <paramref name="timeout"/>.
    /// </summary>
    public async Task<RecordedRequest> WhenAnsweredAsync(Func<RecordedRequest, bool> predicate, TimeSpan timeout)
    {
        var completion = new TaskCompletionSource<RecordedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var done = _requests.FirstOrDefault(r => r.Status != 0 && predicate(r));
            if (done is not null)
            {
                return done;
            }

            _waiters.Add((r => r.Status != 0 && predicate(r), completion));
        }

        return await completion.Task.WaitAsync(timeout);
    }

    /// <summary>The requests with this method and relative path (no query).</summary>
    public IReadOnlyList<RecordedRequest> RequestsTo(string method, string relativePath) =>
        Requests.Where(r => r.Method == method && r.RelativePath == relativePath).ToArray();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string RouteKey(string method, string path) => $"{method.ToUpperInvariant()} {path}";

    private async Task HandleAsync(HttpContext context)
    {
        var at = DateTimeOffset.UtcNow;
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        var path = request.Path.Value ?? "/";
        var relative = path.StartsWith(_basePath + "/", StringComparison.Ordinal) ? path[_basePath.Length..] : null;
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);

        // Recorded on arrival (status 0 until answered), so a request the client gave up on is counted at once.
        int index;
        lock (_gate)
        {
            index = _requests.Count;
            _requests.Add(new RecordedRequest(at, request.Method, path, relative ?? path, request.QueryString.Value ?? string.Empty, headers, body, 0));
        }

        Reply reply;
        if (relative is not null
            && _faults.TryGetValue(RouteKey(request.Method, relative), out var queue)
            && queue.TryDequeue(out var fault))
        {
            if (fault.Delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(fault.Delay, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    SetStatus(index, 499);
                    return;
                }
            }

            reply = fault.Status == 0
                ? Route(context, relative, body)
                : new Reply(fault.Status, fault.Body ?? string.Empty, fault.Headers);
        }
        else if (relative is null)
        {
            reply = NotFound();
        }
        else if (!Authorized(request))
        {
            reply = Error(401, "Bad credentials");
        }
        else
        {
            reply = Route(context, relative, body);
        }

        SetStatus(index, reply.Status);

        context.Response.StatusCode = reply.Status;
        foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (reply.Body.Length > 0)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(reply.Body, context.RequestAborted);
        }
    }

    private void SetStatus(int index, int status)
    {
        List<TaskCompletionSource<RecordedRequest>> matched = [];
        RecordedRequest answered;
        lock (_gate)
        {
            answered = _requests[index] = _requests[index] with { Status = status };
            foreach (var waiter in _waiters.ToArray())
            {
                if (waiter.Predicate(answered))
                {
                    _waiters.Remove(waiter);
                    matched.Add(waiter.Completion);
                }
            }
        }

        foreach (var completion in matched)
        {
            completion.TrySetResult(answered);
        }
    }

    private bool Authorized(HttpRequest request)
    {
        if (RequiredToken is null)
        {
            return true;
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization == $"Bearer {RequiredToken}" || authorization == $"token {RequiredToken}";
    }

    private Reply Route(HttpContext context, string path, string body)
    {
        var method = context.Request.Method;
        var query = context.Request.Query;
        lock (_gate)
        {
            if (path == "/user")
            {
                return method == "GET" ? Ok(AuthenticatedUserJson()) : NotFound();
            }

            if (RepoRoute().Match(path) is not { Success: true } match
                || !_repositories.TryGetValue($"{match.Groups["owner"].Value}/{match.Groups["repo"].Value}", out var repo))
            {
                return NotFound();
            }

            Synchronise(repo);
            var rest = match.Groups["rest"].Value;
            if (rest.Length == 0)
            {
                return method == "GET" ? Ok(RepositoryJson(repo)) : NotFound();
            }

            if (rest == "/pulls")
            {
                return method switch
                {
                    "GET" => Ok(new JsonArray(ListPulls(repo, query["state"], query["head"], query["base"]).Select(pr => (JsonNode)PullJson(context, repo, pr)).ToArray())),
                    "POST" => CreatePull(context, repo, JsonNode.Parse(body)!.AsObject()),
                    _ => NotFound(),
                };
            }

            if (PullRoute().Match(rest) is { Success: true } pull)
            {
                var number = int.Parse(pull.Groups["number"].Value, CultureInfo.InvariantCulture);
                var what = pull.Groups["what"].Value;
                var pr = pull.Groups["kind"].Value == "pulls" || what == "/comments"
                    ? repo.PullRequests.FirstOrDefault(p => p.Number == number)
                    : null;
                if (pr is null)
                {
                    return NotFound();
                }

                return (pull.Groups["kind"].Value, what, method) switch
                {
                    ("pulls", "", "GET") => Ok(PullJson(context, repo, pr)),
                    ("pulls", "", "PATCH") => UpdatePull(context, repo, pr, JsonNode.Parse(body)!.AsObject()),
                    ("pulls", "/files", "GET") => Files(context, pr, query["page"], query["per_page"]),
                    ("pulls", "/reviews", "GET") => ListReviews(context, repo, pr, query["page"], query["per_page"]),
                    ("pulls", "/reviews", "POST") => PostReview(context, repo, pr, JsonNode.Parse(body)!.AsObject()),
                    ("pulls", "/merge", "PUT") => Merge(repo, pr, JsonNode.Parse(body)!.AsObject()),
                    ("issues", "/comments", "POST") => Comment(context, repo, pr, JsonNode.Parse(body)!.AsObject()),
                    _ => NotFound(),
                };
            }

            return NotFound();
        }
    }

    /// <summary>For a repository backed by git: its branch heads, and each open pull request's heads and files, as git has them now.</summary>
    private static void Synchronise(FakeRepository repo)
    {
        if (repo.GitDirectory is not { } git)
        {
            return;
        }

        repo.Branches.Clear();
        foreach (var (branch, sha) in BareGit.Branches(git))
        {
            repo.Branches[branch] = sha;
        }

        foreach (var pr in repo.PullRequests.Where(pr => pr.State == "open"
            && repo.Branches.ContainsKey(pr.HeadRef) && repo.Branches.ContainsKey(pr.BaseRef)))
        {
            pr.HeadSha = repo.Branches[pr.HeadRef];
            pr.BaseSha = repo.Branches[pr.BaseRef];
            pr.Files.Clear();
            pr.Files.AddRange(BareGit.Files(git, pr.BaseRef, pr.HeadRef));
        }
    }

    private static IEnumerable<FakePullRequest> ListPulls(FakeRepository repo, string? state, string? head, string? baseRef)
    {
        state = string.IsNullOrEmpty(state) ? "open" : state;
        return repo.PullRequests.Where(pr =>
            (state == "all" || pr.State == state)
            && (string.IsNullOrEmpty(head) || head == $"{repo.Owner}:{pr.HeadRef}")
            && (string.IsNullOrEmpty(baseRef) || baseRef == pr.BaseRef));
    }

    private Reply CreatePull(HttpContext context, FakeRepository repo, JsonObject body)
    {
        var head = (string?)body["head"];
        var baseRef = (string?)body["base"];
        var title = (string?)body["title"];
        if (string.IsNullOrEmpty(head) || string.IsNullOrEmpty(baseRef) || string.IsNullOrEmpty(title))
        {
            return Error(422, "Validation Failed", "head, base and title are required");
        }

        if (repo.GitDirectory is not null && !repo.Branches.ContainsKey(head))
        {
            return Error(422, "Validation Failed", $"head: the branch {head} does not exist");
        }

        if (repo.PullRequests.Any(pr => pr.State == "open" && pr.HeadRef == head))
        {
            return Error(422, "Validation Failed", $"A pull request already exists for {repo.Owner}:{head}.");
        }

        var pr = new FakePullRequest
        {
            Number = repo.NextNumber++,
            Title = title,
            Body = (string?)body["body"] ?? string.Empty,
            HeadRef = head,
            HeadSha = repo.BranchSha(head),
            BaseRef = baseRef,
            BaseSha = repo.BranchSha(baseRef),
            AuthorLogin = AuthenticatedLogin,
        };
        repo.PullRequests.Add(pr);
        return new Reply(201, PullJson(context, repo, pr).ToJsonString(Compact));
    }

    private Reply UpdatePull(HttpContext context, FakeRepository repo, FakePullRequest pr, JsonObject body)
    {
        if (body["title"] is { } title)
        {
            pr.Title = (string)title!;
        }

        if (body["body"] is { } text)
        {
            pr.Body = (string)text!;
        }

        if (body["base"] is { } baseRef)
        {
            pr.BaseRef = (string)baseRef!;
            pr.BaseSha = repo.BranchSha(pr.BaseRef);
        }

        if ((string?)body["state"] is "closed" or "open" && !pr.Merged)
        {
            pr.State = (string)body["state"]!;
        }

        return Ok(PullJson(context, repo, pr));
    }

    private Reply Files(HttpContext context, FakePullRequest pr, string? pageText, string? perPageText) =>
        Page(context, pr.Files, FilesPageSize, pageText, perPageText, file => new JsonObject
        {
            ["sha"] = FakeSha.Of(file.Filename),
            ["filename"] = file.Filename,
            ["status"] = file.Status,
            ["additions"] = file.Additions,
            ["deletions"] = file.Deletions,
            ["changes"] = file.Additions + file.Deletions,
            ["patch"] = file.Patch,
            ["previous_filename"] = file.PreviousFilename,
        });

    private Reply ListReviews(HttpContext context, FakeRepository repo, FakePullRequest pr, string? pageText, string? perPageText) =>
        Page(context, pr.Reviews, ReviewsPageSize, pageText, perPageText, review => ReviewJson(context, repo, pr, review));

    /// <summary>One page of a list, GitHub-style: <c>page</c>/<c>per_page</c> (default 30, at most 100 and <paramref name="maxPageSize"/>), and a <c>Link</c> header while more pages follow.</summary>
    private static Reply Page<T>(HttpContext context, IReadOnlyList<T> all, int maxPageSize, string? pageText, string? perPageText, Func<T, JsonNode> json)
    {
        var perPage = int.TryParse(perPageText, CultureInfo.InvariantCulture, out var asked) && asked > 0 ? Math.Min(asked, 100) : 30;
        perPage = Math.Min(perPage, maxPageSize);
        var page = int.TryParse(pageText, CultureInfo.InvariantCulture, out var p) && p > 0 ? p : 1;
        var pages = Math.Max(1, (all.Count + perPage - 1) / perPage);
        var items = all.Skip((page - 1) * perPage).Take(perPage).Select(json).ToArray();

        var headers = new Dictionary<string, string>();
        if (page < pages)
        {
            var self = $"{Origin(context)}{context.Request.Path}";
            headers["Link"] = string.Create(
                CultureInfo.InvariantCulture,
                $"<{self}?per_page={perPage}&page={page + 1}>; rel=\"next\", <{self}?per_page={perPage}&page={pages}>; rel=\"last\"");
        }

        return new Reply(200, new JsonArray(items).ToJsonString(Compact), headers);
    }

    private Reply PostReview(HttpContext context, FakeRepository repo, FakePullRequest pr, JsonObject body)
    {
        var verdict = (string?)body["event"] ?? "COMMENT";
        if (verdict is not ("APPROVE" or "REQUEST_CHANGES" or "COMMENT"))
        {
            return Error(422, "Unprocessable Entity", $"Unknown event {verdict}");
        }

        if (RejectSelfReview && pr.AuthorLogin == AuthenticatedLogin && verdict != "COMMENT")
        {
            // GitHub words these as plain strings in "errors".
            var words = verdict == "APPROVE" ? "approve" : "request changes on";
            return new Reply(422, $$"""{"message":"Unprocessable Entity","errors":["Can not {{words}} your own pull request"]}""");
        }

        var comments = new List<FakeReviewComment>();
        foreach (var node in body["comments"]?.AsArray() ?? [])
        {
            var comment = new FakeReviewComment((string)node!["path"]!, (int?)node["line"], (string?)node["side"], (string)node["body"]!);
            var file = pr.Files.FirstOrDefault(f => f.Filename == comment.Path);
            if (pr.Files.Count > 0 && (file is null || comment.Line is not { } line || !file.HasLine(line)))
            {
                return new Reply(422, """{"message":"Unprocessable Entity","errors":["Pull request review thread line must be part of the diff"]}""");
            }

            comments.Add(comment);
        }

        var review = new FakeReview(Interlocked.Increment(ref _nextId), verdict, (string?)body["body"] ?? string.Empty, (string?)body["commit_id"] ?? pr.HeadSha, comments)
        {
            AuthorLogin = AuthenticatedLogin,
        };
        pr.Reviews.Add(review);
        return Ok(ReviewJson(context, repo, pr, review));
    }

    private JsonObject ReviewJson(HttpContext context, FakeRepository repo, FakePullRequest pr, FakeReview review) => new()
    {
        ["id"] = review.Id,
        ["node_id"] = $"PRR_{review.Id}",
        ["user"] = User(review.AuthorLogin),
        ["body"] = review.Body,
        ["state"] = review.Event switch { "APPROVE" => "APPROVED", "REQUEST_CHANGES" => "CHANGES_REQUESTED", _ => "COMMENTED" },
        ["commit_id"] = review.CommitId,
        ["html_url"] = $"{repo.HtmlUrl}/pull/{pr.Number}#pullrequestreview-{review.Id}",
        ["pull_request_url"] = $"{ApiRoot(context)}repos/{repo.Owner}/{repo.Name}/pulls/{pr.Number}",
        ["author_association"] = "OWNER",
        ["submitted_at"] = "2025-01-01T00:00:00Z",
    };

    private static Reply Merge(FakeRepository repo, FakePullRequest pr, JsonObject body)
    {
        if (pr.Merged || pr.State != "open")
        {
            return Error(405, "Pull Request is not mergeable");
        }

        if ((string?)body["sha"] is { } sha && sha != pr.HeadSha)
        {
            return Error(409, "Head branch was modified. Review and try the merge again.");
        }

        if (pr.MergeRefusal is { } refusal)
        {
            return Error(405, refusal);
        }

        if (!pr.Mergeable)
        {
            return Error(405, "Pull Request is not mergeable");
        }

        var method = (string?)body["merge_method"] ?? "merge";
        var commit = repo.GitDirectory is null
            ? FakeSha.Of($"merge:{repo.Owner}/{repo.Name}#{pr.Number}:{pr.HeadSha}")
            : BareGit.Merge(repo.GitDirectory, pr.BaseRef, pr.HeadSha, squash: method != "merge",
                method == "merge" ? $"Merge pull request #{pr.Number} from {repo.Owner}/{pr.HeadRef}" : $"{pr.Title} (#{pr.Number})");
        if (commit is null)
        {
            return Error(405, "Pull Request is not mergeable");
        }

        pr.Merged = true;
        pr.State = "closed";
        pr.MergeMethod = method;
        pr.MergeCommitSha = commit;
        repo.Branches[pr.BaseRef] = pr.MergeCommitSha;
        return Ok(new JsonObject { ["sha"] = pr.MergeCommitSha, ["merged"] = true, ["message"] = "Pull Request successfully merged" });
    }

    private Reply Comment(HttpContext context, FakeRepository repo, FakePullRequest pr, JsonObject body)
    {
        var text = (string?)body["body"];
        if (string.IsNullOrEmpty(text))
        {
            return Error(422, "Validation Failed", "body is missing");
        }

        pr.Comments.Add(text);
        var id = Interlocked.Increment(ref _nextId);
        return new Reply(201, new JsonObject
        {
            ["id"] = id,
            ["body"] = text,
            ["user"] = User(AuthenticatedLogin),
            ["html_url"] = $"{repo.HtmlUrl}/pull/{pr.Number}#issuecomment-{id}",
            ["url"] = $"{ApiRoot(context)}repos/{repo.Owner}/{repo.Name}/issues/comments/{id}",
            ["created_at"] = "2025-01-01T00:00:00Z",
            ["updated_at"] = "2025-01-01T00:00:00Z",
        }.ToJsonString(Compact));
    }

    private string ApiRoot(HttpContext context) => $"{Origin(context)}{_basePath}/";

    private static string Origin(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}";

    private static JsonObject User(string login) => new() { ["login"] = login, ["id"] = 1, ["type"] = "User" };

    /// <summary>What <c>GET /user</c> gives: the token's user, with a few of the fields GitHub sends.</summary>
    private JsonObject AuthenticatedUserJson()
    {
        var user = User(AuthenticatedLogin);
        user["node_id"] = "U_fake";
        user["name"] = AuthenticatedLogin;
        user["html_url"] = $"https://github.com/{AuthenticatedLogin}";
        user["site_admin"] = false;
        user["created_at"] = "2025-01-01T00:00:00Z";
        user["updated_at"] = "2025-01-01T00:00:00Z";
        return user;
    }

    private static JsonObject RepositoryJson(FakeRepository repo) => new()
    {
        ["id"] = Math.Abs(repo.Owner.GetHashCode(StringComparison.Ordinal) ^ repo.Name.GetHashCode(StringComparison.Ordinal)),
        ["name"] = repo.Name,
        ["full_name"] = $"{repo.Owner}/{repo.Name}",
        ["owner"] = User(repo.Owner),
        ["private"] = false,
        ["default_branch"] = repo.DefaultBranch,
        ["clone_url"] = repo.EffectiveCloneUrl,
        ["html_url"] = repo.HtmlUrl,
    };

    private JsonObject PullJson(HttpContext context, FakeRepository repo, FakePullRequest pr) => new()
    {
        ["id"] = pr.Number * 1000L,
        ["number"] = pr.Number,
        ["url"] = $"{ApiRoot(context)}repos/{repo.Owner}/{repo.Name}/pulls/{pr.Number}",
        ["html_url"] = $"{repo.HtmlUrl}/pull/{pr.Number}",
        ["state"] = pr.State,
        ["title"] = pr.Title,
        ["body"] = pr.Body,
        ["user"] = User(pr.AuthorLogin),
        ["head"] = new JsonObject { ["ref"] = pr.HeadRef, ["sha"] = pr.HeadSha, ["label"] = $"{repo.Owner}:{pr.HeadRef}" },
        ["base"] = new JsonObject { ["ref"] = pr.BaseRef, ["sha"] = pr.BaseSha, ["label"] = $"{repo.Owner}:{pr.BaseRef}" },
        ["merged"] = pr.Merged,
        ["merged_at"] = pr.Merged ? "2025-01-01T00:00:00Z" : null,
        ["merge_commit_sha"] = pr.MergeCommitSha,
        ["mergeable"] = pr.Mergeable,
        ["draft"] = false,
        ["created_at"] = "2025-01-01T00:00:00Z",
        ["updated_at"] = "2025-01-01T00:00:00Z",
    };

    private static Reply Ok(JsonNode json) => new(200, json.ToJsonString(Compact));

    private static Reply NotFound() => Error(404, "Not Found");

    private static Reply Error(int status, string message, params string[] errors)
    {
        var fault = FakeFault.Error(status, message, errors);
        return new Reply(fault.Status, fault.Body!);
    }

    [GeneratedRegex(@"^/repos/(?<owner>[^/]+)/(?<repo>[^/]+)(?<rest>/.*)?$")]
    private static partial Regex RepoRoute();

    [GeneratedRegex(@"^/(?<kind>pulls|issues)/(?<number>\d+)(?<what>/files|/reviews|/merge|/comments)?$")]
    private static partial Regex PullRoute();

    private sealed record Reply(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null);
}
