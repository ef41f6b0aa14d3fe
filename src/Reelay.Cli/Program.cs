Console.WriteLine(string.Join(",", Directory.GetFiles(AppContext.BaseDirectory, "Reelay.Server*").Select(Path.GetFileName)));
