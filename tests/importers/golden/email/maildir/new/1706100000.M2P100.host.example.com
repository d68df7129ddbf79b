Delivered-To: sam.lee@example.org
From: Sam Lee <sam.lee@example.org>
To: Marta Silva <marta.silva@example.com>, "Ng, Wei" <wei.ng@example.net>
Date: Wed, 24 Jan 2024 14:45:10 -0800
Message-ID: <md-002@example.org>
In-Reply-To: <md-001@example.com>
References: <md-001@example.com>

Reply body.
