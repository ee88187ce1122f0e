using MultiAgent.Cli;

// The multi-agent command. Everything but the real console and Ctrl+C lives in CliApp, which the tests run in-process.
using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C stops the command cleanly; a second one ends the process.
    if (!interrupted.IsCancellationRequested)
    {
        e.Cancel = true;
        interrupted.Cancel();
    }
};

return await CliApp.RunAsync(
    args,
    Console.Out,
    Console.Error,
    CliApp.ProcessEnvironment(),
    new CliTerminal(!Console.IsOutputRedirected, !Console.IsErrorRedirected),
    interrupted.Token);
