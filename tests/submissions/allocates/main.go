// Hostile: allocates without bound.
package main

import "fmt"

func main() {
	var keep [][]byte
	for {
		b := make([]byte, 16<<20)
		for i := range b {
			b[i] = 1
		}
		keep = append(keep, b)
		if len(keep) < 0 {
			fmt.Println(len(keep))
		}
	}
}
