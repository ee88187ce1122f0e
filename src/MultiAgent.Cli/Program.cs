using System.CommandLine;

// The multi-agent command. Its commands (start-project, submit-feature, job-status, …) need the task bus and the
// query API, which come first; until then it answers --help and --version.
var root = new RootCommand("Submit features to MultiAgent and follow their jobs. Talks to the system over NATS.");
return root.Parse(args).Invoke();
