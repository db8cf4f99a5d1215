// Wrong: does not compile.
package main

import "fmt"

func main() {
	fmt.Println(undefinedThing)
}
