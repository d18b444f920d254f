"""Reads a .cred.env file (KEY=VALUE lines, # comments) the way compose's env_file does."""


def read_cred_env(path):
    values = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if "=" in line:
                key, value = line.split("=", 1)
                values[key.strip()] = value.strip()
    return values
