window.YTD.direct_messages.part0 = [
  {
    "dmConversation": {
      "conversationId": "1001-2002",
      "messages": [
        {
          "messageCreate": {
            "senderId": "2002",
            "recipientId": "1001",
            "createdAt": "2023-05-02T10:00:00.000Z",
            "id": "9001",
            "text": "secret",
            "reactions": []
          }
        },
        {
          "messageCreate": {
            "senderId": "1001",
            "recipientId": "2002",
            "createdAt": "2023-05-02T10:05:00.000Z",
            "id": "9002",
            "text": "secret",
            "reactions": []
          }
        }
      ]
    }
  },
  {
    "dmConversation": {
      "conversationId": "1001-3003",
      "messages": [
        {
          "messageCreate": {
            "senderId": "1001",
            "recipientId": "3003",
            "createdAt": "2023-06-01T08:00:00.000Z",
            "id": "9003",
            "text": "secret",
            "reactions": []
          }
        }
      ]
    }
  }
]