using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MultiAgent.IntegrationTests.Repositories.Local;

/// <summary>
/// A minimal HTTP server on 127.0.0.1 (never any other address) that records each request's head and answers with a
/// fixed status, or never answers. Lets git's HTTP transport fail in a controlled way without a network.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly string? _status;
    private readonly List<string> _requests = [];

    /// <param name="status">The status line to answer with, e.g. "500 Internal Server Error"; null never answers.</param>
    public LoopbackHttpServer(string? status)
    {
        _status = status;
        _listener.Start();
        _loop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Completes when the first request's head has arrived.</summary>
    public TaskCompletionSource<string> FirstRequest { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>A port nothing listens on: bound to pick it, then released.</summary>
    public static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var held = new List<TcpClient>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var head = await ReadHeadAsync(client.GetStream(), _stop.Token);
                lock (_requests)
                {
                    _requests.Add(head);
                }

                FirstRequest.TrySetResult(head);
                if (_status is null)
                {
                    held.Add(client);
                    continue;
                }

                var response = Encoding.ASCII.GetBytes($"HTTP/1.1 {_status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                await client.GetStream().WriteAsync(response, _stop.Token);
                client.Dispose();
            }
        }
        finally
        {
            held.ForEach(c => c.Dispose());
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (!text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                break;
            }

            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return text.ToString();
    }
}
