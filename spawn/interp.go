package spawn

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// interpreter returns the program that runs a plugin written in a language
// switchboard knows by its file's extension: python3 for .py, node for .js
// and .mjs; "" for any other file.
func interpreter(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".py":
		return "python3"
	case ".js", ".mjs":
		return "node"
	}
	return ""
}

// interpret returns the program and arguments that run cmd: cmd itself,
// or, for a .py, .js or .mjs file that is not an executable with a shebang
// (which runs as itself), its interpreter with cmd as first argument. dir
// is the child's working directory, which a relative cmd is in. A missing
// interpreter is an error naming it.
func interpret(cmd string, args []string, dir string) (string, []string, error) {
	interp := interpreter(cmd)
	if interp == "" {
		return cmd, args, nil
	}
	file := cmd
	if dir != "" && !filepath.IsAbs(file) {
		file = filepath.Join(dir, file)
	}
	if runsAsItself(file) {
		return cmd, args, nil
	}
	prog, err := exec.LookPath(interp)
	if err != nil {
		return "", nil, fmt.Errorf("%s needs %s, which was not found: %w", cmd, interp, err)
	}
	return prog, append([]string{cmd}, args...), nil
}

// runsAsItself reports whether file is executable and starts with "#!".
func runsAsItself(file string) bool {
	fi, err := os.Stat(file)
	if err != nil || fi.Mode()&0o111 == 0 {
		return false
	}
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	var head [2]byte
	n, _ := f.Read(head[:])
	return bytes.Equal(head[:n], []byte("#!"))
}
