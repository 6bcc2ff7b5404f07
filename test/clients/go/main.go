// The spec's Go client ("Go client (the user's example)" in websocket-api.md), as written, except
// for what a test needs: the URL is built from LICMON_URL and LICMON_API_KEY, and the loop stops
// after the number of messages given as the first argument.
package main

import (
	"encoding/json"
	"log"
	"os"
	"strconv"

	"github.com/gorilla/websocket"
)

func main() {
	url := os.Getenv("LICMON_URL") + "/ws/logs?api_key=" + os.Getenv("LICMON_API_KEY")
	limit, err := strconv.Atoi(os.Args[1])
	if err != nil {
		log.Fatal("usage: stream-logs <number of messages>")
	}
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		log.Fatal("dial:", err)
	}
	defer conn.Close()
	// Subscribe
	conn.WriteJSON(map[string]interface{}{
		"action": "subscribe",
		"filter": map[string]interface{}{"level": []string{"error", "warn"}},
	})
	for received := 0; received < limit; received++ {
		_, message, err := conn.ReadMessage()
		if err != nil {
			log.Println("read:", err)
			return
		}
		var logEntry map[string]interface{}
		json.Unmarshal(message, &logEntry)
		log.Printf("[%s] %s", logEntry["level"], logEntry["message"])
	}
}
