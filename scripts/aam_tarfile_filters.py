"""tarfile's extraction filters for Python < 3.11.4, where aam's
`extractall(filter="data")` fails: scripts/tools.ts installs this into the
aam CLI's venv only on such a Python. It accepts `filter=` and makes the
checks of the "data" filter that matter for archives."""
import os
import tarfile

if not hasattr(tarfile, "data_filter"):
    _extractall = tarfile.TarFile.extractall

    def _inside(root, path):
        return os.path.commonpath([root, path]) == root

    def extractall(self, path=".", members=None, *, numeric_owner=False, filter=None):
        root = os.path.realpath(path)
        chosen = list(members) if members is not None else self.getmembers()
        for member in chosen:
            target = os.path.realpath(os.path.join(root, member.name))
            if os.path.isabs(member.name) or not _inside(root, target):
                raise tarfile.TarError(f"{member.name!r} would be extracted outside {root}")
            if member.issym() or member.islnk():
                base = os.path.dirname(target) if member.issym() else root
                link = os.path.realpath(os.path.join(base, member.linkname))
                if os.path.isabs(member.linkname) or not _inside(root, link):
                    raise tarfile.TarError(f"{member.name!r} links outside {root}")
            elif not (member.isfile() or member.isdir()):
                raise tarfile.TarError(f"{member.name!r} is not a file, folder or link")
        return _extractall(self, path, chosen, numeric_owner=numeric_owner)

    tarfile.TarFile.extractall = extractall
